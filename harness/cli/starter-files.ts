/**
 * What `streamproof init` writes into a user's repository: a starter scenario (their own config
 * file on the path when they name one) and CI jobs for GitHub Actions and GitLab.
 */
export interface StarterFile {
  path: string;
  content: string;
  /** One line on what to do with it. */
  note: string;
}

export interface StarterOptions {
  /** Their config files, as `kind:./path` boxes, client side first. */
  boxes: string[];
}

const SCENARIO_PATH = 'streamproof/streams.scenario.ts';

function scenarioFile({ boxes }: StarterOptions): string {
  const own = boxes.length > 0 ? boxes.join(' > ') : undefined;
  const path = own ?? 'nginx:hardened';
  return `/**
 * Does an LLM token stream survive ${own ? 'our proxy config' : 'the proxy'}? A 70 s tool call with SSE comment
 * heartbeats every 15 s must not be cut, and every event must arrive when it is sent, not in a burst.
 * Run: npx streamproof run    (results in reports/latest; docs: https://www.npmjs.com/package/streamproof)
 */
import { PASS, scenario } from 'streamproof';

scenario({
  name: 'tool call pause with heartbeats',
  llm: { script: { tokens: 24, toolCall: { afterTokens: 8, pauseSeconds: 70 }, heartbeatSeconds: 15 } },
  client: 'recorder',
  checks: ['heartbeat', 'buffering', 'completion'],
  // 'direct' is the mock LLM alone: the baseline. ${own ? 'Your files: kind:./path from the repository root,\n  // client side first (idle timeouts scale with --time-scale; upstream names resolve to the mock LLM).' : "Put your own config on the path as 'nginx:./deploy/site.conf'\n  // (or 'haproxy:./haproxy.cfg > nginx:./site.conf' for a chain), paths from the repository root."}
  paths: ['direct', '${path}'],
  // What each path must do. A FAIL in the report names the directive to change.
  expect: { direct: PASS, '${path}': PASS },
});
`;
}

const GITHUB_WORKFLOW = `# streamproof: does the LLM token stream survive our proxy configs? (npx streamproof init wrote this)
name: streamproof
on:
  pull_request:
  push:
    branches: [main]
jobs:
  streams:
    runs-on: ubuntu-latest   # Docker is on the runner; proxy images come from Docker Hub
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 24
          cache: npm
      - run: npm ci
      - run: npx streamproof run
      - if: always()
        uses: actions/upload-artifact@v4
        with:
          name: streamproof-report
          path: reports/latest/
`;

const GITLAB_JOB = `# streamproof: does the LLM token stream survive our proxy configs? (npx streamproof init wrote this)
# Include it from .gitlab-ci.yml:
#   include:
#     - local: ci/streamproof.gitlab-ci.yml
# The job needs a Docker engine on the machine it runs on (a shell executor, or the docker
# executor with the host's /var/run/docker.sock mounted): docker:dind is not supported yet.
streamproof:
  image: node:24
  script:
    - npm ci
    - npx streamproof run
  artifacts:
    when: always
    paths:
      - reports/latest/
    reports:
      junit: reports/latest/junit.xml
`;

export function starterFiles(options: StarterOptions): StarterFile[] {
  return [
    { path: SCENARIO_PATH, content: scenarioFile(options), note: 'run it: npx streamproof run' },
    { path: '.github/workflows/streamproof.yml', content: GITHUB_WORKFLOW, note: 'GitHub Actions runs it on every pull request' },
    { path: 'ci/streamproof.gitlab-ci.yml', content: GITLAB_JOB, note: "GitLab: add `include: [{ local: ci/streamproof.gitlab-ci.yml }]` to .gitlab-ci.yml" },
  ];
}
