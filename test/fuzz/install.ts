// `npm run fuzz:install`: the pinned Schemathesis into .schemathesis/venv (`npm run test:fuzz`
// does this step itself first).
import { installSchemathesis } from './schemathesis.js';

try {
  const { installed, st, version } = installSchemathesis((l) => console.log(l));
  console.log(`${installed ? 'installed' : 'already installed'} Schemathesis ${version}\n  ${st}`);
} catch (err) {
  console.error(`fuzz:install failed: ${(err as Error).message}`);
  process.exit(1);
}
