import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkPorts } from '../../../workers/runtime/ports.js';
import { freePort } from '../../helpers/processes.js';

const open: Server[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A port something really listens on, on 127.0.0.1, until the test ends. */
async function listening(): Promise<number> {
  const server = createServer();
  open.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

describe('checkPorts', () => {
  it('passes ports nothing listens on, and leaves them free', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const wanted = [
      { port: a, host: '127.0.0.1', what: 'the API', variable: 'PORT' },
      { port: b, host: '127.0.0.1', what: 'Temporal gRPC', variable: 'TEMPORAL_PORT' },
    ];
    expect(await checkPorts(wanted)).toBeNull();
    expect(await checkPorts(wanted)).toBeNull();
  });

  it('names a taken port, what it is for and the variable that moves it', async () => {
    const taken = await listening();
    expect(
      await checkPorts([
        { port: await freePort(), host: '127.0.0.1', what: 'the API', variable: 'PORT' },
        { port: taken, host: '127.0.0.1', what: 'Temporal UI', variable: 'TEMPORAL_UI_PORT' },
      ]),
    ).toBe(`port ${taken} (Temporal UI, on 127.0.0.1) is already in use: stop what holds it, or set TEMPORAL_UI_PORT to another port`);
  });

  it('finds a port taken on 127.0.0.1 when it would listen on every address', async () => {
    const taken = await listening();
    expect(await checkPorts([{ port: taken, host: '0.0.0.0', what: 'the API', variable: 'PORT' }])).toMatch(
      new RegExp(`^port ${taken} \\(the API, on 0\\.0\\.0\\.0\\) is already in use`),
    );
  });

  it('names two variables set to the same port', async () => {
    const port = await freePort();
    expect(
      await checkPorts([
        { port, host: '127.0.0.1', what: 'the API', variable: 'PORT' },
        { port, host: '127.0.0.1', what: 'Temporal gRPC', variable: 'TEMPORAL_PORT' },
      ]),
    ).toBe(`port ${port} is set for both the API (PORT) and Temporal gRPC (TEMPORAL_PORT); set one of them to another port`);
  });
});
