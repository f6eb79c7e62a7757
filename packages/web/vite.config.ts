import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Inline data: URLs would need a looser Content-Security-Policy for no gain at this size.
    assetsInlineLimit: 0,
    target: 'es2022',
  },
  server: {
    // `npm run dev -w @mydata/web` proxies the API to a platform started with `npm start`.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
