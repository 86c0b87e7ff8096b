// Start-up of the core as Node-RED and library users load it: unbundled, through Node's own resolution
// from packages/core/dist. `node bench/core-start.mjs import` imports it and ends; `... wait <url>
// <projectId> <ak> <sk> <jobId>` reads one DLI SQL job's state (the bench's first request) and ends.
const [mode, url, projectId, accessKey, secretKey, jobId] = process.argv.slice(2);
const core = await import(process.env.BENCH_CORE_ENTRY ?? '../packages/core/dist/index.js');
if (mode === 'wait') {
  const client = core.createClient({
    endpoint: url,
    projectId,
    credentials: { accessKey, secretKey },
    env: {},
  });
  const state = await core.getJobState(client, { kind: 'dli-sql', jobId });
  await client.close();
  if (state.phase !== 'succeeded') process.exitCode = 1;
}
