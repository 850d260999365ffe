import { defineConfig } from 'drizzle-kit';

// Run from the project root: `npm run db:generate` after changing db/schema/.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/*.ts',
  out: './db/migrations',
  strict: true,
});
