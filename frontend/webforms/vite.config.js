// Builds src/main.js with @getodk/web-forms and Vue into fixed file names (no hashes) in
// opendtm/collection/static/collection/webforms/, plus VERSIONS.txt and LICENSES.md.
// Run it through scripts/build-webforms, which checks the result.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const modules = join(here, 'node_modules');
const out = fileURLToPath(new URL('../../opendtm/collection/static/collection/webforms/', import.meta.url));

// web-forms' own build inlines every Roboto subset, three weights, as base64 woff2 and woff
// in its injected CSS: 27 @font-face rules, 0.88 MB of the 1.3 MB entry. The form falls
// back to the system's font instead (Android's is Roboto), see the page's --odk-font-family.
// The count is checked so that an upgrade that changes this is noticed, not silently kept.
const FONT_FACE = /@font-face\{[^{}]*\}/g;

function dropEmbeddedFonts() {
  let dropped = 0;
  return {
    name: 'opendtm-drop-embedded-fonts',
    transform(code, id) {
      if (!id.includes('/@getodk/web-forms/dist/')) return null;
      const matches = code.match(FONT_FACE) ?? [];
      dropped += matches.length;
      return matches.length ? { code: code.replace(FONT_FACE, ''), map: null } : null;
    },
    buildEnd() {
      if (dropped === 0) this.error('no embedded @font-face rule found in @getodk/web-forms: check the font handling');
      this.info(`dropped ${dropped} embedded @font-face rules`);
    },
  };
}

// Fixed names: the entry is webforms.js, web-forms' shared code webforms-core.js and its
// lazily loaded map widget (OpenLayers) webforms-map.js.
function chunkFileName(chunk) {
  const name = chunk.name.replace(/-[A-Za-z0-9_-]{8}$/, ''); // upstream file names carry a hash
  if (name === 'MapBlock') return 'webforms-map.js';
  if (name === 'index') return 'webforms-core.js';
  return `webforms-${name}.js`;
}

const packageOf = (id) => {
  const match = id.replace(/\\/g, '/').match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  return match ? match[1] : null;
};

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

function licenseText(name) {
  if (name === '@getodk/web-forms') {
    // The npm tarball ships no licence file: this is LICENSE.md of getodk/web-forms at the
    // release tag, kept in frontend/webforms/licenses/.
    return readFileSync(join(here, 'licenses', 'getodk-web-forms-LICENSE.md'), 'utf8');
  }
  const folder = join(modules, name);
  const file = readdirSync(folder).find((entry) => /^(licen[cs]e|copying)/i.test(entry));
  return file ? readFileSync(join(folder, file), 'utf8') : null;
}

// VERSIONS.txt and LICENSES.md: the packages whose code is in the bundle, plus what
// web-forms' own dist bundles inside it (its runtime dependencies, installed here).
function notices() {
  return {
    name: 'opendtm-notices',
    writeBundle(_options, bundle) {
      const bundled = new Set(['vue']); // its entry only re-exports @vue/*, so no module of it stays
      for (const chunk of Object.values(bundle)) {
        for (const id of chunk.moduleIds ?? []) {
          const name = packageOf(id);
          if (name) bundled.add(name);
        }
      }
      const webForms = readJson(join(modules, '@getodk/web-forms/package.json'));
      const inside = Object.keys(webForms.dependencies ?? {}).filter((name) => existsSync(join(modules, name)));
      const vite = readJson(join(modules, 'vite/package.json'));
      const rows = [...[...bundled].sort(), ...inside.sort()].map((name) => {
        const pkg = readJson(join(modules, name, 'package.json'));
        // What web-forms bundles inside comes from its own lock at its release: give its range.
        const isInside = inside.includes(name);
        const version = isInside ? webForms.dependencies[name] : pkg.version;
        return { name, version, license: pkg.license ?? '?', inside: isInside };
      });
      const pad = (text, width) => String(text).padEnd(width);
      const versions = [
        '# ODK Web Forms for opendtm: written by scripts/build-webforms, do not edit.',
        '# Pinned in frontend/webforms/package.json and package-lock.json.',
        `# Built with vite ${vite.version} on node ${process.version}.`,
        '# package                   version   licence',
        ...rows.map((row) => `${pad(row.name, 27)} ${pad(row.version, 9)} ${row.license}${row.inside ? '  (bundled inside @getodk/web-forms)' : ''}`),
        '',
      ].join('\n');
      const licenses = [
        '# Licences of the code in this folder',
        '',
        'Written by scripts/build-webforms. The files here contain the packages below;',
        "@getodk/web-forms' own build also bundles its engine (@getodk/xforms-engine, @getodk/xpath,",
        'Apache-2.0, same repository) and its build-time libraries (PrimeVue, solid-js and others, see',
        'https://github.com/getodk/web-forms). Embedded Roboto fonts are removed at build time.',
        '',
        ...rows.flatMap((row) => [
          `## ${row.name} ${row.version} (${row.license})`,
          '',
          (licenseText(row.name) ?? '(no licence file in the package)').trim(),
          '',
        ]),
      ].join('\n');
      writeFileSync(join(out, 'VERSIONS.txt'), versions);
      writeFileSync(join(out, 'LICENSES.md'), licenses);
    },
  };
}

export default defineConfig({
  // Chunks import each other relative to the importing module, so the files work under
  // any STATIC_URL and under Django's hashed (manifest) names.
  base: './',
  logLevel: 'info',
  define: {
    __VUE_OPTIONS_API__: 'true', // PrimeVue's components use the Options API
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    'process.env.NODE_ENV': '"production"',
  },
  plugins: [dropEmbeddedFonts(), notices()],
  build: {
    outDir: out,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false, // no .map files: whitenoise's manifest storage fails on dangling references
    modulePreload: false,
    copyPublicDir: false,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 2500,
    rollupOptions: {
      input: fileURLToPath(new URL('./src/main.js', import.meta.url)),
      preserveEntrySignatures: false,
      output: {
        entryFileNames: 'webforms.js',
        chunkFileNames: chunkFileName,
        assetFileNames: '[name][extname]',
      },
      onwarn(warning, warn) {
        // web-tree-sitter (bundled by web-forms) evaluates its own EM_JS code with eval: upstream, expected.
        if (warning.code === 'EVAL' && warning.id?.includes('/@getodk/web-forms/dist/')) return;
        warn(warning);
      },
    },
  },
});
