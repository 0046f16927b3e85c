/**
 * `streamproof doctor`: what a run needs, checked one by one, each failure with its remedy. It
 * changes nothing (no install, no pull, no build): `streamproof setup` does that.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { CHROMIUM_PATH } from './host/chromium.ts';
import { PREREQUISITES } from './host/prerequisites.ts';
import { docker, ensureDockerAnswers, hostGatewayAddress } from './docker/engine.ts';
import { imageExists, localImageName, OFFICIAL_TOXIPROXY_IMAGE, PROXY_IMAGES, toxiproxyServerImageName } from './docker/images.ts';
import { LABEL_RUN, sweepableContainerCount } from './docker/run-registry.ts';
import { isStreamproofError } from './errors.ts';
import { assertNodeVersion } from './node-version.ts';
import type { Settings } from './settings.ts';

export interface Finding {
  status: 'ok' | 'warn' | 'fail';
  what: string;
  detail: string;
  fix?: string;
}

export async function diagnose(settings: Settings): Promise<Finding[]> {
  const findings: Finding[] = [];
  try {
    assertNodeVersion();
    findings.push({ status: 'ok', what: 'Node', detail: process.version });
  } catch (error) {
    findings.push(failure('Node', error));
  }

  try {
    await ensureDockerAnswers();
    const version = await docker().version();
    findings.push({ status: 'ok', what: 'Docker', detail: `engine ${version.Version} (API ${version.ApiVersion})` });
  } catch (error) {
    findings.push(failure('Docker', error));
    return findings; // the rest asks Docker
  }

  let gateway: string | undefined;
  try {
    gateway = await hostGatewayAddress();
    for (const host of ['127.0.0.1', gateway]) await canBind(host);
    findings.push({ status: 'ok', what: 'mock LLM addresses', detail: `can listen on 127.0.0.1 and the bridge gateway ${gateway}` });
  } catch (error) {
    findings.push({
      ...failure('mock LLM addresses', error),
      fix: `let this process listen on ${gateway ?? "the Docker bridge's gateway"} (containers reach the mock LLM there); check the docker0 bridge is up`,
    });
  }

  for (const version of settings.versions) {
    for (const kind of ['nginx', 'haproxy'] as const) {
      const official = PROXY_IMAGES[version].public[kind];
      const local = localImageName(version);
      const found = (await imageExists(official)) ? official : (await imageExists(local)) ? local : undefined;
      findings.push(
        found
          ? { status: 'ok', what: `${kind}@${version} image`, detail: found }
          : {
              status: 'fail',
              what: `${kind}@${version} image`,
              detail: `neither ${official} nor ${local} is present`,
              fix: `run \`npx streamproof images\` (pulls the official image, or builds from Debian packages in about 90 s${
                PREREQUISITES.debootstrap.present() ? '' : "; the build needs debootstrap, which is missing: 'streamproof setup --install' as root installs it"
              })`,
            },
      );
    }
  }
  const base = (await imageExists(PROXY_IMAGES.bookworm.public.nginx)) ? PROXY_IMAGES.bookworm.public.nginx : localImageName('bookworm');
  const server = toxiproxyServerImageName(base);
  const official = await imageExists(OFFICIAL_TOXIPROXY_IMAGE);
  findings.push(
    (await imageExists(server))
      ? { status: 'ok', what: 'toxiproxy images', detail: `${server} for the taps; fault boxes: ${official ? OFFICIAL_TOXIPROXY_IMAGE : `${server} too (the official image is absent)`}` }
      : { status: 'fail', what: 'toxiproxy images', detail: `${server} is not built`, fix: 'run `npx streamproof images` (builds it in about 10 s)' },
  );

  const stale = await sweepableContainerCount();
  findings.push(
    stale === 0
      ? { status: 'ok', what: 'leftover containers', detail: `none labelled ${LABEL_RUN} from a dead run` }
      : { status: 'warn', what: 'leftover containers', detail: `${stale} from runs that died`, fix: 'the next run sweeps them; or `docker rm -f $(docker ps -aq --filter label=dev.streamproof.run)`' },
  );

  findings.push(
    existsSync(CHROMIUM_PATH)
      ? { status: 'ok', what: 'Chromium (HTML report check, browser-eventsource client)', detail: CHROMIUM_PATH }
      : {
          status: 'warn',
          what: 'Chromium (HTML report check, browser-eventsource client)',
          detail: 'absent: the browser tests are skipped and scenarios with the browser-eventsource client fail',
          fix: "'streamproof setup --install --browser' as root, or apt-get install -y chromium (or point STREAMPROOF_CHROMIUM at a Chromium executable)",
        },
  );
  return findings;
}

function failure(what: string, error: unknown): Finding {
  if (isStreamproofError(error)) {
    const [problem, fix] = error.message.split('\nTo fix: ');
    return { status: 'fail', what, detail: problem ?? error.message, ...(fix ? { fix } : {}) };
  }
  return { status: 'fail', what, detail: (error as Error).message };
}

function canBind(host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => server.close(() => resolve()));
  });
}

export function renderFindings(findings: Finding[]): string {
  const mark = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;
  return findings
    .map((f) => `${mark[f.status]}  ${f.what}: ${f.detail}${f.fix && f.status !== 'ok' ? `\n      To fix: ${f.fix}` : ''}`)
    .join('\n');
}
