import fs from 'node:fs';
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

type TMessages = { [key: string]: string | TMessages };

function deepMerge(into: TMessages, from: TMessages): TMessages {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k];
    into[k] = typeof v === 'object' && typeof cur === 'object' ? deepMerge({ ...cur }, v) : v;
  }
  return into;
}

/**
 * `virtual:shell-strings/<lang>` (locales/shell-<lang>.ts): of every feature's strings (features/**\/locales/<lang>.json),
 * the part the staff shell loads with its chunk: the top-level keys the shared file (locales/<lang>.json) has too —
 * menu, action, entity, perm, … that several features add to — and SHELL_KEYS, what the shell itself draws. The
 * rest of a feature's file loads with its pages (app/i18n.ts, app/strings-of.ts).
 */
const SHELL_KEYS = ['notifications', 'settingsPage.calendar'];
function shellStrings(): Plugin {
  const prefix = 'virtual:shell-strings/';
  const src = path.resolve(import.meta.dirname, 'src');
  return {
    name: 'huifang-shell-strings',
    resolveId: (id) => (id.startsWith(prefix) ? `\0${id}` : undefined),
    load(id) {
      if (!id.startsWith(`\0${prefix}`)) return undefined;
      const lang = id.slice(prefix.length + 1);
      const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as TMessages;
      const shared = Object.keys(read(path.join(src, 'locales', `${lang}.json`)));
      const files = fs
        .readdirSync(path.join(src, 'features'), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith(path.join('locales', `${lang}.json`)))
        .sort();
      let out: TMessages = {};
      for (const f of files) {
        const file = path.join(src, 'features', f);
        this.addWatchFile(file);
        const all = read(file);
        const picked: TMessages = {};
        for (const key of [...shared, ...SHELL_KEYS]) {
          const [top, ...rest] = key.split('.') as [string, ...string[]];
          let v: TMessages | string | undefined = all[top];
          for (const k of rest) v = typeof v === 'object' ? v[k] : undefined;
          if (v === undefined) continue;
          const wrapped = rest.reduceRight<TMessages | string>((acc, k) => ({ [k]: acc }), v);
          picked[top] =
            typeof wrapped === 'object' && typeof picked[top] === 'object' ? deepMerge(picked[top], wrapped) : wrapped;
        }
        out = deepMerge(out, picked);
      }
      return `export default ${JSON.stringify(out)};`;
    },
  };
}

export default defineConfig({
  plugins: [react(), shellStrings()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    // dist/.vite/manifest.json: each entry's chunk and imports, read by the bundle budget test.
    manifest: true,
    rolldownOptions: {
      // These packages declare no `sideEffects` in their package.json, so importing one export (antd's ConfigProvider
      // takes only the FormProvider) would keep the whole package: the form engine and its validator (~15 KB gz) in
      // every antd page, the login page and the staff shell included. Their modules have no side effects on import.
      treeshake: {
        moduleSideEffects: [{ test: /node_modules\/@rc-component\/(form|async-validator)\//, sideEffects: false }],
      },
    },
  },
  server: {
    proxy: { '/api': 'http://localhost:3000' },
  },
});
