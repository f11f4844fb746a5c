// opendtm dashboard: headline cards, a choropleth of IDPs (admin1, then admin2 on click),
// clustered sites, the situation report's Vega-Lite charts, and a table following the map.
// Everything is drawn from the dashboard's JSON parts (data-data-url, PART replaced); no
// basemap is needed, an optional one comes from data-basemap. Numbers are formatted in the
// page's language.
(() => {
  const root = document.getElementById("dashboard");
  if (!root) return;
  const TEXT = JSON.parse(document.getElementById("dashboard-text").textContent);
  const LANG = document.documentElement.lang || "en";
  const NUMBER = new Intl.NumberFormat(LANG, { maximumFractionDigits: 0 });
  const SIGNED = new Intl.NumberFormat(LANG, { maximumFractionDigits: 0, signDisplay: "exceptZero" });
  const CLASSES = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]; // as the report's map
  const BLANKED = "#8c8c8c";
  const NO_FIGURES = "#f0f0f0";
  const TYPE_COLOURS = {
    camp: "#d95f02", collective_centre: "#7570b3", host_community: "#1b9e77",
    informal_settlement: "#e7298a", transit_centre: "#66a61e", other: "#666666",
  };
  const state = { level: 1, parent: "", area: "", areaName: "", features: [] };

  function partUrl(part, params = {}) {
    const query = new URLSearchParams(Object.entries(params).filter(([, value]) => value));
    const base = root.dataset.dataUrl.replace("PART", part);
    return query.toString() ? `${base}?${query}` : base;
  }

  async function getJSON(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${response.status} for ${url}`);
    return response.json();
  }

  function formatted(value, blanked) {
    if (value !== null && value !== undefined) return NUMBER.format(value);
    return blanked ? TEXT.blanked : "–";
  }

  function element(tag, attributes = {}, text = "") {
    const found = document.createElement(tag);
    Object.entries(attributes).forEach(([name, value]) => found.setAttribute(name, value));
    if (text) found.textContent = text;
    return found;
  }

  function noteBlanked(any) {
    const note = document.getElementById("blanked-note");
    if (note && any) note.hidden = false;
  }

  // ---- headline cards ----
  async function cards() {
    const box = document.getElementById("headline-cards");
    const data = await getJSON(partUrl("headlines"));
    box.replaceChildren(...data.cards.map((card) => {
      const section = element("div", { class: "headline", "data-card": card.code });
      section.append(element("span", { class: "headline-label" }, card.label));
      section.append(element("strong", { class: "headline-value", "data-value": card.value ?? "" }, formatted(card.value, card.blanked)));
      const change = card.change === null ? (card.previous === null ? TEXT.firstRound : "") : `${SIGNED.format(card.change)} ${TEXT.since}`;
      section.append(element("span", { class: "headline-change muted", "data-change": card.change ?? "" }, change));
      return section;
    }));
    box.setAttribute("aria-busy", "false");
    noteBlanked(data.cards.some((card) => card.blanked));
  }

  // ---- map ----
  const map = L.map("dashboard-map", { zoomSnap: 0.25, maxZoom: 18 });
  map.attributionControl.setPrefix("");
  map.attributionControl.addAttribution("Boundaries: OCHA COD-AB");
  if (root.dataset.basemap) L.tileLayer(root.dataset.basemap, { maxZoom: 18 }).addTo(map);
  map.setView([0, 0], 2);
  let areaLayer = null;
  const sites = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 });
  map.addLayer(sites);

  function classesOf(features) {
    const top = Math.max(0, ...features.map((feature) => feature.properties.idps || 0));
    const step = Math.max(1, Math.ceil(top / CLASSES.length));
    return { top, step, colour: (value) => CLASSES[Math.min(CLASSES.length - 1, Math.max(0, Math.ceil(value / step) - 1))] };
  }

  function fillOf(properties, classes) {
    if (properties.blanked) return BLANKED;
    if (properties.idps === null) return NO_FIGURES;
    return classes.colour(properties.idps);
  }

  function legend(classes) {
    const box = document.getElementById("map-legend");
    const valued = classes.top > 0 ? CLASSES : [];
    const items = valued.map((colour, index) => {
      const low = index === 0 ? 0 : index * classes.step + 1;
      return [colour, `${NUMBER.format(low)}–${NUMBER.format((index + 1) * classes.step)}`];
    });
    items.push([BLANKED, TEXT.blanked], [NO_FIGURES, TEXT.noFigures]);
    box.replaceChildren(...items.map(([colour, label]) => {
      const item = element("span", { class: "legend-item" });
      const swatch = element("i", { class: "legend-swatch" });
      swatch.style.background = colour;
      item.append(swatch, document.createTextNode(label));
      return item;
    }));
  }

  async function showAreas(level, parent, parentName) {
    const collection = await getJSON(partUrl("areas", { level, parent }));
    const drawn = collection.features.filter((feature) => feature.geometry);
    if (parent && !collection.features.length) return false;
    state.level = level;
    state.parent = parent;
    state.features = collection.features;
    const classes = classesOf(collection.features);
    if (areaLayer) areaLayer.remove();
    areaLayer = L.geoJSON({ type: "FeatureCollection", features: drawn }, {
      style: (feature) => ({ color: "#8a96a3", weight: 0.8, fillColor: fillOf(feature.properties, classes), fillOpacity: 0.85, className: `area area-${feature.properties.pcode}` }),
      onEachFeature: (feature, layer) => {
        const p = feature.properties;
        layer.bindTooltip(`${escape(p.name)}: ${escape(formatted(p.idps, p.blanked))} ${escape(TEXT.idps)}`, { sticky: true });
        layer.on("click", () => select(p));
      },
    }).addTo(map);
    areaLayer.bringToBack();
    if (drawn.length) map.fitBounds(areaLayer.getBounds(), { padding: [10, 10] });
    legend(classes);
    document.getElementById("map-up").hidden = !parent;
    root.dataset.mapLevel = level;
    root.dataset.mapParent = parent;
    table(parentName);
    return true;
  }

  // A click on an area: its children on the map and in the table, its charts.
  async function select(properties) {
    const deeper = properties.level < 3 && await showAreas(properties.level + 1, properties.pcode, properties.name);
    state.area = properties.pcode;
    state.areaName = properties.name;
    if (!deeper) table(properties.name);
    charts();
  }

  function escape(text) {
    const span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  // ---- the table under the map: the areas the map shows ----
  function table(parentName) {
    const body = document.querySelector("#area-table tbody");
    const rows = state.features.map((feature) => {
      const p = feature.properties;
      const row = element("tr", { "data-pcode": p.pcode });
      const name = element("td");
      name.append(document.createTextNode(`${p.name} `), element("code", {}, p.pcode));
      row.append(name,
        element("td", { class: "number" }, formatted(p.idps, p.blanked)),
        element("td", { class: "number" }, formatted(p.households, p.blanked && p.households === null)));
      if (state.area === p.pcode) row.setAttribute("aria-current", "true");
      return row;
    });
    body.replaceChildren(...rows);
    document.getElementById("table-title").textContent = parentName || TEXT.allAreas;
    const query = new URLSearchParams({ level: state.level });
    if (state.parent) query.set("parent", state.parent);
    document.getElementById("table-csv").href = `${root.dataset.csvUrl}?${query}`;
    root.dataset.tableRows = rows.length;
    noteBlanked(state.features.some((feature) => feature.properties.blanked));
  }

  document.getElementById("map-up").addEventListener("click", async () => {
    state.area = "";
    state.areaName = "";
    await showAreas(1, "", "");
    charts();
  });

  async function showSites() {
    const collection = await getJSON(partUrl("sites"));
    const sitePage = (code) => root.dataset.siteUrl.replace("CODE", encodeURIComponent(code));
    const layer = L.geoJSON(collection, {
      pointToLayer: (feature, latlng) => {
        const p = feature.properties;
        // Area proportional to the IDPs: the radius grows with their square root.
        const radius = 4 + Math.sqrt(p.idps || 0) / 2;
        return L.circleMarker(latlng, { radius: Math.min(radius, 30), color: "#fff", weight: 1, fillColor: TYPE_COLOURS[p.site_type] || TYPE_COLOURS.other, fillOpacity: 0.85 });
      },
      onEachFeature: (feature, marker) => {
        const p = feature.properties;
        const title = root.dataset.siteUrl ? `<a href="${sitePage(p.code)}">${escape(p.name)}</a>` : escape(p.name);
        marker.bindPopup(`<strong>${title}</strong><br><code>${escape(p.code)}</code> · ${escape(p.type_label)}<br>${escape(TEXT.idps)}: ${escape(formatted(p.idps, p.blanked))}<br>${escape(TEXT.households)}: ${escape(formatted(p.households, false))}`);
      },
    });
    sites.clearLayers();
    sites.addLayer(layer);
    root.dataset.siteCount = collection.features.length;
  }

  // ---- charts: the report's specs, drawn by vega-embed with its export menu (PNG, SVG) ----
  const FORMAT = formatLocale();

  function formatLocale() {
    const parts = new Intl.NumberFormat(LANG).formatToParts(1234567.5);
    const part = (type, fallback) => (parts.find((item) => item.type === type) || { value: fallback }).value;
    const numerals = Array.from({ length: 10 }, (_, digit) => new Intl.NumberFormat(LANG, { useGrouping: false }).format(digit));
    return { decimal: part("decimal", "."), thousands: part("group", ","), grouping: [3], currency: ["", ""], numerals };
  }

  async function charts() {
    const label = state.areaName ? `· ${state.areaName}` : "";
    document.querySelectorAll(".chart-area").forEach((item) => { item.textContent = label; });
    await Promise.all([...document.querySelectorAll(".chart[data-part]")].map(async (box) => {
      const data = await getJSON(partUrl(box.dataset.part, { area: state.area }));
      noteBlanked(data.blanked);
      box.dataset.drawn = "";
      if (!data.spec) {
        box.replaceChildren(element("p", { class: "empty" }, TEXT.noChart));
        box.dataset.drawn = "empty";
        return;
      }
      const spec = { ...data.spec, width: "container" };
      await vegaEmbed(box, spec, {
        renderer: "svg",
        formatLocale: FORMAT,
        // Export only: the source, compiled and editor actions would reach out to the network.
        actions: { export: { svg: true, png: true }, source: false, compiled: false, editor: false },
        i18n: { PNG_ACTION: "PNG", SVG_ACTION: "SVG" },
        downloadFileName: `${root.dataset.round}-${box.dataset.part}`,
      });
      box.dataset.drawn = "chart";
    }));
  }

  // ---- restricted panel: only rendered for protection roles; the server checks too ----
  async function restricted() {
    const url = root.dataset.restrictedUrl;
    if (!url) return;
    const data = await getJSON(url);
    const body = document.querySelector("#restricted-table tbody");
    body.replaceChildren(...data.risks.map((risk) => {
      const row = element("tr", { "data-code": risk.code });
      row.append(element("td", {}, risk.label), element("td", { class: "number" }, formatted(risk.places, false)), element("td", { class: "number" }, NUMBER.format(risk.reporting)));
      return row;
    }));
  }

  document.querySelectorAll("[data-round-picker] select").forEach((select) => {
    select.addEventListener("change", () => { window.location.href = select.value; });
  });

  Promise.all([cards(), showAreas(1, "", ""), showSites(), charts(), restricted()])
    .then(() => { root.dataset.ready = "true"; })
    .catch((error) => {
      root.dataset.ready = "failed";
      const box = element("p", { class: "error" }, TEXT.failed);
      root.prepend(box);
      throw error;
    });
})();
