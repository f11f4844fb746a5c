// opendtm's host for ODK Web Forms: mounts <OdkWebForm> in the element marked
// [data-odk-web-form] and sends what it submits to opendtm's OpenRosa endpoint.
//
// Everything comes from the element's data attributes (written by the Django template):
//   data-form-url          the XForm text
//   data-media-url         form media: a pattern whose "__NAME__" is the file's name
//                          (jr://images/a.png -> a.png)
//   data-submission-url    the OpenRosa submission endpoint (multipart POST)
//   data-csrf-token        sent as X-CSRFToken: the endpoint accepts session-signed POSTs
//   data-csrf-cookie       the CSRF cookie's name: its current value is preferred, so that
//                          signing in again in another tab does not strand the answers here
//   data-instance-url      editing only: the submission's current XML
//   data-attachment-url    editing only: a pattern whose "__NAME__" is the attachment's name
//   data-attachment-names  editing only: JSON list of the submission's attachment names
//   data-next-url          where to go after an edit is saved
//   data-message-*         the page's own (translated) texts: sent, saved, failed, offline,
//                          sign-in, load-failed, loading
// The outcome of every submit is written into the element marked [data-web-form-status].
import { createApp, h } from 'vue';
import { OdkWebForm, POST_SUBMIT__NEW_INSTANCE, webFormsPlugin } from '@getodk/web-forms';

const OPENROSA_NS = 'http://openrosa.org/http/response';

/** The <message> of an OpenRosaResponse, or '' when the body is not one. */
function openRosaMessage(text) {
  if (!text) return '';
  const document = new DOMParser().parseFromString(text, 'text/xml');
  if (document.getElementsByTagName('parsererror').length) return '';
  const messages = document.getElementsByTagNameNS(OPENROSA_NS, 'message');
  const message = messages.length ? messages[0] : document.getElementsByTagName('message')[0];
  return message ? message.textContent.trim() : '';
}

function say(status, kind, text) {
  if (!status) return;
  status.hidden = !text;
  status.className = `web-form-status ${kind}`;
  status.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  status.textContent = text;
}

function fileName(url) {
  // jr://images/a.png and jr://file-csv/list.csv: the name is the last path segment.
  return encodeURIComponent(decodeURIComponent(url.pathname.split('/').pop() || url.host));
}

function csrfToken(data) {
  const name = data.csrfCookie || 'csrftoken';
  for (const pair of document.cookie.split(';')) {
    const [key, ...value] = pair.trim().split('=');
    if (key === name && value.length) return decodeURIComponent(value.join('='));
  }
  return data.csrfToken;
}

async function fetchOk(url) {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

async function mount(element) {
  const data = element.dataset;
  const status = document.querySelector('[data-web-form-status]');
  const text = (key, fallback) => data[key] || fallback;
  const editing = Boolean(data.instanceUrl);
  let sending = false;

  let formXml;
  try {
    formXml = await (await fetchOk(data.formUrl)).text();
  } catch (error) {
    element.replaceChildren();
    say(status, 'error', `${text('messageLoadFailed', 'The form could not be loaded.')} (${error.message})`);
    return;
  }

  const editInstance = editing
    ? {
        resolveInstance: async () => (await fetchOk(data.instanceUrl)).text(),
        attachmentFileNames: JSON.parse(data.attachmentNames || '[]'),
        resolveAttachment: (name) =>
          fetchOk(data.attachmentUrl.replace('__NAME__', encodeURIComponent(name))),
      }
    : undefined;

  async function onSubmit(payload, callback) {
    if (sending) return; // a second click while the first one is on its way
    if (payload.status !== 'ready') {
      say(status, 'error', `${text('messageFailed', 'The submission was not accepted.')} (${payload.status})`);
      callback?.();
      return;
    }
    sending = true;
    say(status, 'info', text('messageSending', 'Sending…'));
    let response;
    let body = '';
    try {
      response = await fetch(data.submissionUrl, {
        method: 'POST',
        body: payload.data[0], // FormData: xml_submission_file plus attachments
        credentials: 'same-origin',
        headers: { 'X-OpenRosa-Version': '1.0', 'X-CSRFToken': csrfToken(data) },
      });
      body = await response.text();
    } catch (error) {
      sending = false;
      say(status, 'error', `${text('messageOffline', 'The server could not be reached. Your answers are still in the form: send again.')} (${error.message})`);
      callback?.();
      return;
    }
    sending = false;
    const message = openRosaMessage(body);
    if (response.status === 201 || response.status === 202) {
      if (editing) {
        say(status, 'success', text('messageSaved', 'The changes are saved.'));
        callback?.();
        if (data.nextUrl) window.location.assign(data.nextUrl);
        return;
      }
      say(status, 'success', text('messageSent', 'Sent.'));
      callback?.({ next: POST_SUBMIT__NEW_INSTANCE });
      window.scrollTo(0, 0);
      return;
    }
    const failed = text('messageFailed', 'The submission was not accepted.');
    const again = response.status === 401 || /expired/i.test(message) ? ` ${text('messageSignIn', '')}` : '';
    say(status, 'error', `${failed} ${message || `HTTP ${response.status}`}${again}`.trim());
    callback?.(); // keeps the answers in the form
    window.scrollTo(0, 0);
  }

  const props = {
    formXml,
    fetchFormAttachment: (url) =>
      fetch(data.mediaUrl.replace('__NAME__', fileName(url)), { credentials: 'same-origin' }),
    editInstance,
    onSubmit,
  };
  element.replaceChildren();
  createApp({ render: () => h(OdkWebForm, props) }).use(webFormsPlugin).mount(element);
}

const element = document.querySelector('[data-odk-web-form]');
if (element) mount(element);
