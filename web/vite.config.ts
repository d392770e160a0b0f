/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev` proxies the API to a local `mixmaster serve` (MIXMASTER_URL, default :8000).
const target = process.env.MIXMASTER_URL ?? 'http://127.0.0.1:8000';

export default defineConfig({
  plugins: [react()],
  base: './',
  build: { outDir: 'dist', sourcemap: false, chunkSizeWarningLimit: 800 },
  server: { proxy: { '/v1': target, '/healthz': target } },
  test: { include: ['test/**/*.test.ts'], environment: 'node' },
});
