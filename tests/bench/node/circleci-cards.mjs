// The Node.js baseline of bench_circleci: a ToolJump-style CircleCI integration written the way
// ToolJump's published CircleCI examples are (Node 18+ global fetch, await, Promise.all for
// independent calls), with no cache. It fetches the same endpoints the plugin's fetch plan asks
// for the full card set of a repo on its default branch, and renders a minimal card set.
//
// usage: node circleci-cards.mjs BASE_URL SLUG RUNS
//   env CIRCLECI_TOKEN (the Circle-Token), NODE_EXTRA_CA_CERTS (the test server's CA)
// prints one JSON line: {"runs_ms":[...],"requests":N,"cards":N}
// Each run is timed here, so node's start-up is not counted.

const [baseUrl, slug, runsArg] = process.argv.slice(2);
const token = process.env.CIRCLECI_TOKEN;
const runs = Number(runsArg || 5);
const scanPipelines = 20;  // the plugin's cards.deploy_scan_pipelines default
const window = 'last-30-days';
let requests = 0;

async function get(path) {
  requests++;
  const res = await fetch(`${baseUrl}${path}`, { headers: { 'Circle-Token': token } });
  if (!res.ok) throw new Error(`HTTP ${res.status} for ${path}`);
  return res.json();
}

async function cardsFor(projectSlug) {
  // The default branch is the project's; the pipelines page needs it.
  const project = await get(`/project/${projectSlug}`);
  const branch = project.vcs_info.default_branch;
  const [pipelines, metrics, summary] = await Promise.all([
    get(`/project/${projectSlug}/pipeline?branch=${encodeURIComponent(branch)}`),
    get(`/insights/${projectSlug}/workflows?reporting-window=${window}`),
    get(`/insights/pages/${projectSlug}/summary?reporting-window=${window}`),
  ]);
  const recent = (pipelines.items || []).slice(0, scanPipelines);
  const workflows = await Promise.all(recent.map(p => get(`/pipeline/${p.id}/workflow`)));

  const cards = [];
  const runsOf = recent.map((p, i) => ({ p, wfs: workflows[i].items || [] }));
  const latest = runsOf[0];
  if (latest) {
    const failed = latest.wfs.some(w => w.status === 'failed' || w.status === 'error');
    const onHold = latest.wfs.some(w => w.status === 'on_hold');
    cards.push({ type: 'link', content: `CircleCI ${branch}: ${failed ? 'failed' : onHold ? 'on hold' : 'passed'}`,
                 href: `https://app.circleci.com/pipelines/${projectSlug}/${latest.p.number}` });
  }
  cards.push({ type: 'dropdown', content: 'Recent pipelines',
               items: runsOf.slice(0, 5).map(r => ({ content: `#${r.p.number} ${r.p.state}`,
                                                     href: `https://app.circleci.com/pipelines/${projectSlug}/${r.p.number}` })) });
  cards.push({ type: 'text', content: `Insights: ${(metrics.items || []).length} workflows`,
               tooltip: JSON.stringify(summary).slice(0, 200) });
  const deploys = runsOf.filter(r => r.wfs.some(w => w.name.startsWith('deploy') && w.status === 'success'));
  if (deploys.length) cards.push({ type: 'text', content: `Deploys: ${deploys.length}` });
  const approval = runsOf.filter(r => r.wfs.some(w => w.status === 'on_hold'));
  if (approval.length) cards.push({ type: 'text', content: 'Waiting for approval' });
  cards.push({ type: 'link', content: 'CircleCI insights', href: `https://app.circleci.com/insights/${projectSlug}` });
  return cards;
}

const runsMs = [];
let cardCount = 0;
for (let i = 0; i < runs; i++) {
  const start = process.hrtime.bigint();
  const cards = await cardsFor(slug);
  runsMs.push(Number(process.hrtime.bigint() - start) / 1e6);
  cardCount = cards.length;
}
console.log(JSON.stringify({ runs_ms: runsMs, requests, cards: cardCount }));
