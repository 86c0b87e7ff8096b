import { writeFileSync } from 'node:fs';
import {
  fieldsOf,
  JOB_KINDS,
  KNOWN_REGIONS,
  startFieldsOf,
  stopFieldsOf,
  WAIT_DEFAULTS,
} from '@jobgate/core';
import { FORM_HINTS, fieldForm } from './start-inputs.js';

export interface ActionInput {
  name: string;
  description: string;
  required?: boolean;
  default?: string;
}

const seconds = (ms: number) => `${Math.round(ms / 1000)}s`;

type Field = ReturnType<typeof fieldsOf>[number];

/** Inputs gathered from the job-kind table: one per field name, described for every kind that has it. */
function kindInputs(
  fieldsOfKind: (kind: (typeof JOB_KINDS)[number]) => Field[],
  skip: ReadonlySet<string> = new Set(),
  hint: (kind: (typeof JOB_KINDS)[number], field: Field) => string = () => '',
): ActionInput[] {
  const uses = new Map<string, string[]>();
  for (const kind of JOB_KINDS) {
    for (const field of fieldsOfKind(kind)) {
      if (skip.has(field.input)) continue;
      const list = uses.get(field.input) ?? [];
      list.push(
        `${kind.name}: ${field.description}${hint(kind, field)}${field.required ? '' : ' (optional)'}`,
      );
      uses.set(field.input, list);
    }
  }
  return [...uses].map(([name, list]) => ({ name, description: `${list.join('. ')}.` }));
}

/** The identity inputs every kind needs. */
const identityInputs = () => kindInputs(fieldsOf);
const identityNames = () => new Set(identityInputs().map((i) => i.name));

/** What starts a job, beyond its identity: each kind's start spec (`mode: run` or `start`). */
const startInputs = () =>
  kindInputs(startFieldsOf, identityNames(), (kind, field) => {
    const form = kind.start ? fieldForm(kind.start.spec, field.key) : 'text';
    return FORM_HINTS[form];
  });

/** A stop's own options (a Flink savepoint), for the stops a started job may get. */
const stopInputs = () => kindInputs(stopFieldsOf, identityNames());

/** Every input of the Action, in the order action.yml lists them. */
export function actionInputs(): ActionInput[] {
  return [
    {
      name: 'job_kind',
      description: `The kind of job to wait on: ${JOB_KINDS.map((k) => `\`${k.name}\` (${k.title})`).join(', ')}.`,
      required: true,
    },
    ...identityInputs(),
    {
      name: 'mode',
      description:
        '`wait` (wait on an existing job), `run` (start a job, then wait on it as `wait_for` says) or `start` (start a job and pass at once; the outputs name it). Starting works for every kind whose inputs below say what starts it.',
      default: 'wait',
    },
    ...startInputs(),
    {
      name: 'sql_file',
      description:
        'dli-sql: a file in the workspace holding the statement, instead of `sql` (UTF-8, at most 1,000,000 bytes).',
    },
    ...stopInputs(),
    {
      name: 'cancel_on_abort',
      description:
        'With `mode: run` or `start`: when the workflow is cancelled, stop the job this step started before the step ends (the post step stops it if the step was killed first). Ignored for a job the step did not start.',
      default: 'true',
    },
    {
      name: 'stop_on_timeout',
      description: 'With `mode: run`: stop the job this step started when `timeout` ends the wait.',
      default: 'false',
    },
    {
      name: 'wait_for',
      description:
        '`finished` (a terminal state), `running` (for streaming jobs: the job is running; failure still fails the step), or `none` (report the current state and pass or fail on it without waiting).',
      default: 'finished',
    },
    {
      name: 'timeout',
      description:
        'How long to wait, such as `30m`, `90s` or `1h30m`; a bare number is seconds: `30` is 30 seconds.',
      default: '60m',
    },
    {
      name: 'poll_interval',
      description:
        'The shortest gap between status requests, and the first one, such as `5s` or `500ms`; a bare number is seconds: `30` is 30 seconds. Where a job reports progress, the next request is scheduled near its expected end.',
      default: seconds(WAIT_DEFAULTS.intervalMs),
    },
    {
      name: 'max_poll_interval',
      description:
        'The longest gap between status requests, such as `60s` or `2m`; a bare number is seconds: `30` is 30 seconds.',
      default: seconds(WAIT_DEFAULTS.maxIntervalMs),
    },
    {
      name: 'region',
      description: `The region, such as \`cn-north-4\`. Falls back to HUAWEI_CLOUD_REGION. Known regions: ${KNOWN_REGIONS.join(', ')}.`,
    },
    {
      name: 'project_id',
      description: 'The project id. Falls back to HUAWEI_CLOUD_PROJECT_ID, then HUAWEICLOUD_SDK_PROJECT_ID.',
    },
    {
      name: 'access_key',
      description:
        'The access key (AK). Falls back to HUAWEI_CLOUD_ACCESS_KEY_ID (huaweicloud/auth-action), then HUAWEICLOUD_SDK_AK.',
    },
    {
      name: 'secret_key',
      description:
        'The secret key (SK). Pass it from a secret. Falls back to HUAWEI_CLOUD_SECRET_ACCESS_KEY, then HUAWEICLOUD_SDK_SK.',
    },
    {
      name: 'security_token',
      description:
        'The security token of temporary credentials. Falls back to HUAWEICLOUD_SDK_SECURITY_TOKEN.',
    },
    { name: 'auth_token', description: 'An IAM token, sent as X-Auth-Token instead of signing with AK/SK.' },
    {
      name: 'identity_provider',
      description:
        "The id of an IAM identity provider (OpenID Connect) that trusts GitHub's id tokens: the job's id token is exchanged for temporary credentials, and no key is kept in the workflow. Needs `permissions: id-token: write`.",
    },
    {
      name: 'audience',
      description:
        "The audience of the GitHub id token: the client_id of the identity provider's OpenID Connect configuration. Default: the identity_provider value.",
    },
    {
      name: 'credentials_duration',
      description:
        'How long the temporary credentials last, from `15m` to `24h`; they are renewed before they expire, however long the wait.',
      default: '1h',
    },
    {
      name: 'export_credentials',
      description:
        'With identity_provider: export the temporary credentials (masked) for later steps as HUAWEI_CLOUD_ACCESS_KEY_ID, HUAWEI_CLOUD_SECRET_ACCESS_KEY and HUAWEICLOUD_SDK_SECURITY_TOKEN.',
      default: 'false',
    },
    {
      name: 'endpoint',
      description:
        "An endpoint for every service instead of the region's (private deployments, proxies, the JobGate emulator). https://, or http:// on a loopback address.",
    },
    {
      name: 'fail_on_unknown',
      description:
        'Fail the step when the final status is one no document describes. Never treated as success either way.',
      default: 'true',
    },
  ];
}

/** The identity outputs: each field of a job reference, set as soon as the job is known (started or named). */
function identityOutputs(): Record<string, string> {
  return Object.fromEntries(
    identityInputs().map((input) => [
      input.name,
      `The job's ${input.name}, as given or as the start answered. ${input.description}`,
    ]),
  );
}

export const ACTION_OUTPUTS: Record<string, string> = {
  job_kind: 'The kind of job waited on.',
  ...identityOutputs(),
  status: "The job's last raw status, as the service sent it.",
  phase: 'The last phase: pending, running, succeeded, failed, cancelled or unknown.',
  progress: 'The last progress, 0 to 1, where the service reports one.',
  duration_seconds: 'How long the step waited, in seconds.',
  job: 'The job as JSON: `{kind, ref}` as soon as it is known (the reference of a started job), then its final state (kind, ref, phase, status, progress, message, details).',
  stopped:
    '`true` when this step stopped the job it started (on cancel, or on timeout with stop_on_timeout).',
};

function yamlString(text: string): string {
  return JSON.stringify(text);
}

/** action.yml, rendered from the job-kind table so that a new kind adds its inputs by itself. */
export function renderActionYml(): string {
  const lines = [
    '# Generated from the job-kind table by action/src/manifest.ts (pnpm build): do not edit by hand.',
    'name: JobGate for Huawei Cloud',
    'description: Run or wait on a Huawei Cloud data job (DLI Flink or SQL, DataArts Studio Factory, CDM) and fail the workflow when it fails.',
    'author: JobGate',
    'branding:',
    '  icon: clock',
    '  color: red',
    'inputs:',
  ];
  for (const input of actionInputs()) {
    lines.push(`  ${input.name}:`, `    description: ${yamlString(input.description)}`);
    lines.push(`    required: ${input.required ? 'true' : 'false'}`);
    if (input.default !== undefined) lines.push(`    default: ${yamlString(input.default)}`);
  }
  lines.push('outputs:');
  for (const [name, description] of Object.entries(ACTION_OUTPUTS)) {
    lines.push(`  ${name}:`, `    description: ${yamlString(description)}`);
  }
  lines.push(
    'runs:',
    '  using: node24',
    '  main: action/dist/main/index.js',
    '  post: action/dist/post/index.js',
    '',
  );
  return lines.join('\n');
}

if (process.argv[2] === '--write' && process.argv[3]) {
  writeFileSync(process.argv[3], renderActionYml());
}
