import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
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
