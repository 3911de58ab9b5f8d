// The ims-emulator dashboard: reads the control API (/emulator/v0), follows
// the journal with long polls, and drives the world with the same calls a
// test or a game client would make. Plain JavaScript, no dependencies.
//
// Everything shown comes from the emulator; every value is written with
// textContent (session configs and statuses come from players' machines).
'use strict';

(() => {
  // Payload states and event kinds, as the emulator names them
  // (GET /emulator/v0/names, read once at start).
  let STATES = [];
  let KINDS = [];
  const PAGE_SIZE = 50;          // payload rows per page
  const JOURNAL_KEEP = 2000;     // events kept in the page
  const JOURNAL_SHOWN = 300;     // events drawn (newest first)
  const LONG_POLL_SECONDS = 20;
  const CLOCK_POLL_MS = 1000;    // notices another client moving the clock

  const $ = (id) => document.getElementById(id);
  const view = {
    world: null,        // the last GET /emulator/v0/state
    fetchedAt: 0,       // performance.now() when it arrived
    faults: [],
    page: 0,
    selected: null,     // payload id shown in the detail panel
    events: [],
    after: 0,
    refreshing: null,
    refreshAgain: false,
    refreshCost: 0,     // ms the last GET /state took, to pace polling
  };

  // --- Small helpers --------------------------------------------------------

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else if (key.startsWith('data-')) node.setAttribute(key, value);
      else node[key] = value;
    }
    for (const child of children) {
      if (child !== null && child !== undefined) {
        node.append(typeof child === 'string' ? document.createTextNode(child) : child);
      }
    }
    return node;
  }

  function fill(tbody, rows) {
    tbody.replaceChildren(...rows);
  }

  function options(select, values, keep) {
    const current = select.value;
    select.replaceChildren(...keep.map((o) => el('option', { value: o.value, text: o.label })),
      ...values.map((v) => el('option', { value: v, text: v })));
    if ([...select.options].some((o) => o.value === current)) select.value = current;
  }

  function formatDuration(ms) {
    if (ms < 0) ms = 0;
    const s = ms / 1000;
    if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m} min ${Math.floor(s % 60)} s`;
    const h = Math.floor(m / 60);
    if (h < 48) return `${h} h ${m % 60} min`;
    return `${Math.floor(h / 24)} d ${h % 24} h`;
  }

  function timeOfDay(iso) {
    return iso ? iso.replace(/^.*T/, '').replace(/Z$/, '') : '';
  }

  // The emulator's clock now: frozen under the virtual clock, running under
  // the real one.
  function emulatorNow() {
    const clock = view.world.clock;
    const drift = clock.mode === 'real' ? performance.now() - view.fetchedAt : 0;
    return clock.unix_ms + drift;
  }

  // The IMS payload shape keeps state, address and ports under `status` and
  // labels and annotations under `metadata`.
  const stateOf = (p) => p.status.state;
  const labelsOf = (p) => (p.metadata && p.metadata.labels) || {};
  const annotationsOf = (p) => (p.metadata && p.metadata.annotations) || {};
  const portsOf = (p) => p.status.ports || [];

  function statusText(status) {
    const keys = Object.keys(status || {});
    if (keys.length === 0) return '{}';
    return keys.map((k) => `${k}=${status[k]}`).join(', ');
  }

  // --- Talking to the emulator ---------------------------------------------

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function call(method, path, body, headers) {
    const init = { method, headers: Object.assign({}, headers || {}) };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers['Content-Type'] = 'application/json';
    }
    const res = await fetch(path, init);
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : {};
    } catch (e) {
      json = null;
    }
    if (!res.ok) {
      const message = json && typeof json.message === 'string' ? json.message : text;
      throw new ApiError(res.status, message || res.statusText);
    }
    return json;
  }

  function showError(text) {
    $('message').hidden = true;
    $('error').textContent = text;
    $('error').hidden = false;
  }

  function showMessage(text) {
    $('error').hidden = true;
    $('message').textContent = text;
    $('message').hidden = false;
  }

  // Runs one action; shows what it did or the API's error, then refreshes.
  async function act(label, fn) {
    try {
      const done = await fn();
      showMessage(typeof done === 'string' ? `${label}: ${done}` : `${label}: done`);
    } catch (e) {
      const code = e instanceof ApiError ? ` (HTTP ${e.status})` : '';
      showError(`${label} failed${code}: ${e.message}`);
    }
    await refresh();
  }

  // One refresh at a time; a request during one runs once more after it.
  async function refresh() {
    if (view.refreshing) {
      view.refreshAgain = true;
      return view.refreshing;
    }
    view.refreshing = (async () => {
      do {
        view.refreshAgain = false;
        const started = performance.now();
        try {
          const [world, faults] = await Promise.all([
            call('GET', '/emulator/v0/state'),
            call('GET', '/emulator/v0/faults'),
          ]);
          view.world = world;
          view.fetchedAt = performance.now();
          view.refreshCost = view.fetchedAt - started;
          view.faults = faults.faults;
          render();
          await refreshTimeline();
        } catch (e) {
          showError(`reading the emulator failed: ${e.message}`);
        }
      } while (view.refreshAgain);
      view.refreshing = null;
    })();
    return view.refreshing;
  }

  // --- Drawing -------------------------------------------------------------

  function render() {
    if (!view.world) return;
    renderClock();
    renderAllocations();
    renderSessions();
    renderPayloads();
    renderSelected();
    renderFaults();
    document.body.dataset.loaded = 'true';
  }

  function renderClock() {
    const clock = view.world.clock;
    $('clock-mode').textContent = `${clock.mode} clock`;
    $('clock-mode').className = `tag ${clock.mode}`;
    $('clock-now').textContent = new Date(emulatorNow()).toISOString().replace('.000Z', 'Z');
    $('clock-next').textContent = clock.next_timer
      ? `next timer ${timeOfDay(clock.next_timer)} (in ${formatDuration(Date.parse(clock.next_timer) - emulatorNow())})`
      : 'no timer armed';
    const virtual = clock.mode === 'virtual';
    for (const button of $('clock-actions').querySelectorAll('button, input')) {
      button.disabled = !virtual;
      button.title = virtual ? '' : 'the real clock cannot be advanced (start with --clock virtual)';
    }
  }

  function countsByState(allocationId) {
    const counts = {};
    for (const p of view.world.payloads) {
      if (p.allocation_id === allocationId) counts[stateOf(p)] = (counts[stateOf(p)] || 0) + 1;
    }
    return counts;
  }

  function stateChip(state, n) {
    return el('span', { class: `state s-${state}`, text: n === undefined ? state : `${state} ${n}` });
  }

  function renderAllocations() {
    const rows = view.world.allocations.map((a) => {
      const counts = countsByState(a.id);
      const chips = STATES.filter((s) => counts[s]).map((s) => stateChip(s, counts[s]));
      return el('tr', { 'data-id': a.id },
        el('td', { text: a.project_id }),
        el('td', { class: 'mono', text: a.name ? `${a.name} (${a.id})` : a.id }),
        el('td', { class: 'status' },
          el('span', { class: `allocation-status a-${a.status}`, text: a.status })),
        el('td', { text: (a.annotations && a.annotations.session_type) || '—' }),
        el('td', { text: String(a.buffer_size) }),
        el('td', { text: `${a.min_payloads} / ${a.max_payloads}` }),
        el('td', {}, ...(chips.length ? chips : ['none'])));
    });
    fill($('allocations').tBodies[0], rows);

    const projects = [...new Set(view.world.projects)];
    options($('cs-project'), projects, []);
    const types = [...new Set(view.world.allocations
      .filter((a) => a.project_id === $('cs-project').value)
      .map((a) => (a.annotations && a.annotations.session_type) || '')
      .filter((t) => t))];
    options($('cs-type'), types, []);
    options($('pf-allocation'), view.world.allocations.map((a) => a.id), [{ value: '', label: 'any' }]);
  }

  function renderSessions() {
    const now = emulatorNow();
    const rows = view.world.sessions.map((s) => {
      let agree;
      if (!s.status_set_at) {
        agree = el('span', { class: 'muted', text: 'no status set yet' });
      } else if (s.clients_see_latest_at) {
        const at = Date.parse(s.clients_see_latest_at);
        agree = el('span', { class: 'lag', text: `clients see it at ${timeOfDay(s.clients_see_latest_at)} (in ${formatDuration(at - now)})` });
      } else {
        agree = el('span', { class: 'agreed', text: 'agreed' });
      }
      return el('tr', { 'data-id': s.id },
        el('td', {}, el('a', { href: '#', class: 'mono', text: s.id, onclick: (e) => { e.preventDefault(); select(s.id); } })),
        el('td', { text: s.session_type }),
        el('td', { class: 'server-set' },
          el('span', { class: 'status', text: statusText(s.session_status) }),
          s.status_set_at ? el('span', { class: 'muted', text: ` set ${timeOfDay(s.status_set_at)}` }) : null),
        el('td', { class: 'clients-see' }, el('span', { class: 'status', text: statusText(s.clients_see) })),
        el('td', { class: 'agree' }, agree));
    });
    fill($('sessions').tBodies[0], rows.length ? rows : [el('tr', {}, el('td', { colSpan: 5, class: 'muted', text: 'no sessions: create one above' }))]);
  }

  function payloadMatches(p) {
    const state = $('pf-state').value;
    const allocation = $('pf-allocation').value;
    const text = $('pf-text').value.trim().toLowerCase();
    if (state && stateOf(p) !== state) return false;
    if (allocation && p.allocation_id !== allocation) return false;
    if (!text) return true;
    const haystack = [p.id, ...Object.entries(labelsOf(p)).flat(),
      ...Object.entries(annotationsOf(p)).flat()].join(' ').toLowerCase();
    return haystack.includes(text);
  }

  function renderPayloads() {
    const now = emulatorNow();
    const matching = view.world.payloads.filter(payloadMatches);
    const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
    view.page = Math.min(view.page, pages - 1);
    $('pf-page').textContent = `page ${view.page + 1} of ${pages} (${matching.length} payloads)`;
    $('pf-prev').disabled = view.page === 0;
    $('pf-next').disabled = view.page >= pages - 1;
    const rows = matching.slice(view.page * PAGE_SIZE, (view.page + 1) * PAGE_SIZE).map((p) => {
      const ports = portsOf(p).map((port) => `${port.name}:${port.port}`).join(' ');
      const meta = [...Object.entries(labelsOf(p)).map(([k, v]) => `label ${k}=${v}`),
        ...Object.entries(annotationsOf(p)).map(([k, v]) => `${k}=${v}`)].join(', ');
      const process = p.pid ? `pid ${p.pid}` : (p.log_file ? 'exited' : '—');
      const row = el('tr', { 'data-id': p.id, class: p.id === view.selected ? 'selected' : '' },
        el('td', {}, el('a', { href: '#', class: 'mono', text: p.id, onclick: (e) => { e.preventDefault(); select(p.id); } })),
        el('td', { class: 'mono small', text: p.allocation_id }),
        el('td', {}, stateChip(stateOf(p)), p.forced ? el('span', { class: 'muted', text: ' forced' }) : null,
          p.api_down_until ? el('span', { class: 'lag', text: ' API down' }) : null),
        el('td', { text: formatDuration(now - Date.parse(p.state_since)) }),
        el('td', { class: 'mono small', text: `${p.status.address} ${ports}` }),
        el('td', { class: 'small', text: meta }),
        el('td', { class: 'small', text: process }),
        el('td', { class: 'small', text: p.status.details || '' }));
      return row;
    });
    fill($('payloads').tBodies[0], rows.length ? rows : [el('tr', {}, el('td', { colSpan: 8, class: 'muted', text: 'no payload matches' }))]);
  }

  function selectedPayload() {
    return view.world.payloads.find((p) => p.id === view.selected) || null;
  }

  async function select(id) {
    view.selected = id;
    renderPayloads();
    renderSelected();
    await loadSelectedDetails();
    $('payload-section').scrollIntoView({ block: 'nearest' });
  }

  function renderSelected() {
    const p = selectedPayload();
    $('payload-section').hidden = !p;
    if (!p) return;
    $('pd-id').textContent = p.id;
    const facts = [
      ['state', `${stateOf(p)} for ${formatDuration(emulatorNow() - Date.parse(p.state_since))}${p.forced ? ' (forced)' : ''}`],
      ['allocation', p.allocation_id],
      ['ORCHESTRATION_PAYLOAD_API', p.orchestration_payload_api],
      ['ports', portsOf(p).map((port) => `${port.name} ${port.port}`).join(', ') || '—'],
      ['session status (server set)', statusText(p.session_status)],
      ['process', p.pid ? `pid ${p.pid}, log ${p.log_file}` : (p.log_file ? `not running; log ${p.log_file}` : 'none (no payload_spec.command)')],
      ['details', p.status.details || '—'],
      ['labels', statusText(labelsOf(p))],
      ['annotations', statusText(annotationsOf(p))],
    ];
    if (p.api_down_until) facts.push(['Payload Local API', `down until ${timeOfDay(p.api_down_until)}`]);
    $('pd-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]));
  }

  async function loadSelectedDetails() {
    const p = selectedPayload();
    if (!p) return;
    const id = encodeURIComponent(p.id);
    try {
      const config = await call('GET', `/emulator/v0/payloads/${id}/session-config`);
      $('pd-config').textContent = 'config' in config ? config.config : '(none: not reserved with a session config)';
    } catch (e) {
      $('pd-config').textContent = `(${e.message})`;
    }
    if (!p.log_file) {
      $('pd-log').textContent = '(no game-server process)';
      return;
    }
    try {
      const log = await call('GET', `/emulator/v0/payloads/${id}/log?lines=40`);
      $('pd-log').textContent = log.lines.join('\n') || '(empty)';
    } catch (e) {
      $('pd-log').textContent = `(${e.message})`;
    }
  }

  function renderFaults() {
    const rows = view.faults.map((f) => el('tr', { 'data-id': String(f.id) },
      el('td', { text: String(f.id) }),
      el('td', { text: f.api }),
      el('td', { text: f.method || 'any' }),
      el('td', { class: 'mono', text: f.path || '*' }),
      el('td', { text: f.status ? String(f.status) : '—' }),
      el('td', { text: `${f.delay_ms} ms` }),
      el('td', { text: `${f.matched} / ${f.fired}` }),
      el('td', { text: 'times_left' in f ? String(f.times_left) : 'all' })));
    fill($('faults').tBodies[0], rows.length ? rows : [el('tr', {}, el('td', { colSpan: 8, class: 'muted', text: 'no faults' }))]);
  }

  // --- The timeline ------------------------------------------------------------

  // Draws a Chrome trace (GET /emulator/v0/timeline): a track per payload
  // with its states as spans, "server set status" and "clients see status"
  // marks, and the status cache's lag as a bar between each pair.
  function drawTimeline(trace) {
    if (!trace || !Array.isArray(trace.traceEvents)) throw new Error('not a Chrome trace: no traceEvents');
    const names = new Map();
    const tracks = new Map();
    let end = 1;
    const track = (tid) => {
      if (!tracks.has(tid)) tracks.set(tid, { spans: [], marks: [] });
      return tracks.get(tid);
    };
    for (const e of trace.traceEvents) {
      if (typeof e.ph !== 'string') throw new Error('a trace event without ph');
      if (e.ph === 'M') {
        if (e.name === 'thread_name') names.set(e.tid, e.args.name);
        continue;
      }
      if (typeof e.ts !== 'number') throw new Error(`a ${e.ph} event without ts`);
      if (e.ph === 'X') {
        track(e.tid).spans.push(e);
        end = Math.max(end, e.ts + e.dur);
      } else {
        track(e.tid).marks.push(e);
        end = Math.max(end, e.ts);
      }
    }
    const at = (ts) => `${(100 * ts) / end}%`;
    const rows = [...tracks.keys()].sort((a, b) => a - b).map((tid) => {
      const { spans, marks } = tracks.get(tid);
      const lane = el('div', { class: 'lane' });
      for (const s of spans) {
        lane.append(el('div', { class: `span state s-${s.name}`, text: s.name,
          title: `${s.name}: ${formatDuration(s.dur / 1000)} from ${formatDuration(s.ts / 1000)}` }));
        lane.lastChild.style.left = at(s.ts);
        lane.lastChild.style.width = at(s.dur);
      }
      let set = null;
      for (const m of marks) {
        const kind = m.name === 'server set status' ? 'server-set'
          : m.name === 'clients see status' ? 'clients-see' : 'instant';
        if (kind === 'server-set') set = m;
        if (kind === 'clients-see' && set) {
          const lag = el('div', { class: 'lag-bar', title: `status cache lag: ${formatDuration((m.ts - set.ts) / 1000)}` });
          lag.style.left = at(set.ts);
          lag.style.width = at(m.ts - set.ts);
          lane.append(lag);
          set = null;
        }
        const mark = el('div', { class: `mark ${kind}`, title: `${m.name} at ${formatDuration(m.ts / 1000)}` });
        mark.style.left = at(m.ts);
        lane.append(mark);
      }
      return el('div', { class: 'track', 'data-tid': String(tid) },
        el('div', { class: 'track-name mono small', text: names.get(tid) || `track ${tid}` }), lane);
    });
    const axis = el('div', { class: 'lane axis' });
    for (let i = 0; i <= 4; ++i) {
      const tick = el('span', { class: 'tick small muted', text: `+${formatDuration((end * i) / 4 / 1000)}` });
      tick.style.left = `${25 * i}%`;
      axis.append(tick);
    }
    $('timeline').replaceChildren(...rows, el('div', { class: 'track' }, el('div', { class: 'track-name' }), axis),
      el('div', { class: 'legend small muted', text: '▼ server set status   ▲ clients see status   ▬ the status cache\'s lag' }));
  }

  async function refreshTimeline() {
    if ($('timeline').hidden) return;
    try {
      drawTimeline(await call('GET', '/emulator/v0/timeline'));
    } catch (e) {
      $('timeline').textContent = `the timeline cannot be drawn: ${e.message}`;
    }
  }

  // --- The journal, live ---------------------------------------------------

  function eventMatches(e) {
    const id = $('jf-id').value.trim();
    const kind = $('jf-kind').value;
    if (!$('jf-debug').checked && e.kind === 'payload.output') return false;
    if (kind && e.kind !== kind) return false;
    if (id && !(e.payload_id || '').includes(id) && !(e.allocation_id || '').includes(id)) return false;
    return true;
  }

  function renderJournal() {
    const shown = [];
    for (let i = view.events.length - 1; i >= 0 && shown.length < JOURNAL_SHOWN; --i) {
      const e = view.events[i];
      if (!eventMatches(e)) continue;
      const change = e.new_state ? `${e.old_state ? `${e.old_state} → ` : ''}${e.new_state}` : '';
      shown.push(el('li', { class: `event level-${e.level}`, 'data-seq': String(e.seq), 'data-kind': e.kind },
        el('span', { class: 'muted', text: `#${e.seq} ${timeOfDay(e.time)} ` }),
        el('span', { class: 'kind', text: e.kind }), ' ',
        el('span', { class: 'muted', text: e.actor }), ' ',
        el('span', { class: 'mono', text: e.payload_id || e.allocation_id || '' }), ' ',
        change ? el('strong', { text: change }) : null, ' ',
        el('span', { text: e.detail || '' })));
    }
    $('journal').replaceChildren(...shown);
  }

  async function followJournal() {
    let first = true;
    for (;;) {
      try {
        const query = first ? `last=${JOURNAL_SHOWN}` : `after=${view.after}&wait=${LONG_POLL_SECONDS}`;
        const page = await call('GET', `/emulator/v0/events?${query}`);
        first = false;
        $('journal-live').textContent = 'live';
        $('journal-live').className = 'tag live';
        if (page.events.length) {
          view.after = page.next_after;
          view.events.push(...page.events);
          if (view.events.length > JOURNAL_KEEP) view.events.splice(0, view.events.length - JOURNAL_KEEP);
          renderJournal();
          refresh();
        }
      } catch (e) {
        $('journal-live').textContent = 'reconnecting';
        $('journal-live').className = 'tag lag';
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  }

  // Another client may move the clock (no event says so); under the real
  // clock, times in state and the status cache move on their own. A big
  // world is read at most a fifth of the time.
  async function followClock() {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(CLOCK_POLL_MS, 5 * view.refreshCost)));
      if (document.hidden || !view.world) continue;
      try {
        const clock = await call('GET', '/emulator/v0/clock');
        if (clock.mode === 'real' || clock.unix_ms !== view.world.clock.unix_ms) await refresh();
      } catch (e) {
        // followJournal reports an unreachable emulator
      }
    }
  }

  // --- Actions -------------------------------------------------------------

  function advance(body) {
    return act('Advance the clock', async () => {
      const clock = await call('POST', '/emulator/v0/clock/advance', body);
      return `now ${clock.now}`;
    });
  }

  function payloadAction(label, fn) {
    const p = selectedPayload();
    if (!p) return undefined;
    return act(`${label} ${p.id}`, () => fn(encodeURIComponent(p.id))).then(loadSelectedDetails);
  }

  function wire() {
    $('advance-1').onclick = () => advance({ seconds: 1 });
    $('advance-12').onclick = () => advance({ seconds: 12 });
    $('advance-custom').onclick = () => advance({ seconds: Number($('advance-seconds').value) });
    $('advance-next').onclick = () => advance({ to: 'next_timer' });
    $('reset').onclick = () => act('Reset the world', () => call('POST', '/emulator/v0/reset'));

    $('create-session').onsubmit = (e) => {
      e.preventDefault();
      const project = encodeURIComponent($('cs-project').value);
      const type = encodeURIComponent($('cs-type').value);
      const config = $('cs-config').value;
      const headers = $('cs-token').value ? { Authorization: $('cs-token').value } : {};
      act('Create session', async () => {
        const session = await call('POST', `/api/v0/projects/${project}/sessions?session_type=${type}`,
          config ? { session_config: config } : {}, headers);
        view.selected = session.id;
        return `payload ${session.id} at ${session.address} reserved`;
      }).then(loadSelectedDetails);
    };
    $('cs-project').onchange = render;

    for (const id of ['pf-state', 'pf-allocation']) $(id).onchange = () => { view.page = 0; renderPayloads(); };
    $('pf-text').oninput = () => { view.page = 0; renderPayloads(); };
    $('pf-prev').onclick = () => { view.page -= 1; renderPayloads(); };
    $('pf-next').onclick = () => { view.page += 1; renderPayloads(); };

    $('pd-close').onclick = () => { view.selected = null; render(); };
    $('pd-ready').onclick = () => payloadAction('Mark Ready', (id) => call('POST', `/payloads/${id}/api/v0/ready`));
    $('pd-exit').onclick = () => payloadAction('Exit', (id) =>
      call('POST', `/emulator/v0/payloads/${id}/exit`, { code: Number($('pd-code').value) }));
    $('pd-force').onclick = () => payloadAction('Force state', (id) =>
      call('PUT', `/emulator/v0/payloads/${id}/state`, { state: $('pd-state').value }));
    $('pd-down').onclick = () => payloadAction('Take the Payload Local API down', (id) =>
      call('POST', `/emulator/v0/payloads/${id}/api-down`, { seconds: Number($('pd-down-seconds').value) }));

    $('add-fault').onsubmit = (e) => {
      e.preventDefault();
      const spec = { api: $('f-api').value };
      if ($('f-method').value) spec.method = $('f-method').value;
      if ($('f-path').value) spec.path = $('f-path').value;
      if ($('f-status').value !== '') spec.status = Number($('f-status').value);
      if ($('f-delay').value !== '') spec.delay_ms = Number($('f-delay').value);
      if ($('f-times').value !== '') spec.times = Number($('f-times').value);
      act('Add fault', async () => `fault ${(await call('POST', '/emulator/v0/faults', spec)).result.id} added`);
    };
    $('clear-faults').onclick = () => act('Clear faults', () => call('DELETE', '/emulator/v0/faults'));

    $('timeline-toggle').onclick = () => {
      $('timeline').hidden = !$('timeline').hidden;
      $('timeline-toggle').textContent = $('timeline').hidden ? 'Show' : 'Hide';
      refreshTimeline();
    };
    for (const id of ['jf-id', 'jf-kind', 'jf-debug']) {
      $(id).oninput = renderJournal;
      $(id).onchange = renderJournal;
    }
  }

  async function start() {
    try {
      const names = await call('GET', '/emulator/v0/names');
      STATES = names.payload_states;
      KINDS = names.event_kinds;
    } catch (e) {
      showError(`Reading the emulator's names failed: ${e.message}`);  // the filters stay empty
    }
    options($('pf-state'), STATES, [{ value: '', label: 'any' }]);
    options($('pd-state'), STATES, []);
    options($('jf-kind'), KINDS, [{ value: '', label: 'any' }]);
    wire();
    refresh();
    followJournal();
    followClock();
  }

  start();
})();
