// Builds the data portal into ui/dist, which the platform serves at / (src/server/ui-static.ts).
// `npm run dev:ui` serves it with hot reload and forwards API calls to a running platform.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const platform = process.env.SHIFTLEFT_PLATFORM_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 800 },
  server: { proxy: { '/v1': platform, '/registry': platform, '/health': platform } },
});
