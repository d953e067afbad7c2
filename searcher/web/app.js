// The search page: reads its state from the URL, asks /api/v1/, and builds the results with
// DOM calls only. Article fields are never parsed as HTML: text goes in as text nodes, and the
// only markup kept from the API is its <mark> highlighting, rebuilt as <mark> elements.
'use strict';

const PAGE = 10;
const FACETS = ['topic', 'provider', 'year'];
const $ = (id) => document.getElementById(id);

// An element with text content (never innerHTML) and attributes.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// "a <mark>b</mark> c" as text nodes and <mark> elements: everything else stays text.
function highlighted(tag, text) {
  const out = el(tag);
  let inMark = false;
  for (const part of String(text || '').split(/(<mark>|<\/mark>)/)) {
    if (part === '<mark>') inMark = true;
    else if (part === '</mark>') inMark = false;
    else if (part) out.append(inMark ? el('mark', {}, part) : document.createTextNode(part));
  }
  return out;
}

// Only http(s) links leave the page (an article's URL could be javascript:...).
function safeUrl(u) {
  return /^https?:\/\//i.test(u || '') ? u : null;
}

// The page's state is its URL: q, topic*, provider*, since, until, min-quality, sort, offset.
function state() {
  return new URLSearchParams(location.search);
}

function go(params, push = true) {
  const s = params.toString();
  if (push) history.pushState(null, '', s ? '?' + s : location.pathname);
  render();
}

function setParam(name, value) {
  const p = state();
  if (value === '' || value === null || value === undefined) p.delete(name);
  else p.set(name, value);
  p.delete('offset');
  go(p);
}

async function api(endpoint, params) {
  const r = await fetch('/api/v1/' + endpoint + '?' + params.toString(), {
    headers: { Accept: 'application/json' },
  });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

function fillForm(p) {
  $('q').value = p.get('q') || '';
  $('since').value = p.get('since') || '';
  $('until').value = p.get('until') || '';
  $('min-quality').value = p.get('min-quality') || '';
  $('sort').value = p.get('sort') || '';
}

function providerName(a) {
  return (a.provider && (a.provider.name || a.provider.domain)) || '';
}

function articleLink(a, highlightedTitle) {
  const title = highlightedTitle !== undefined ? highlighted('span', highlightedTitle)
                                               : el('span', {}, a.title || a.id);
  const href = safeUrl(a.url);
  return href ? el('a', { href, rel: 'noopener noreferrer' }, title) : title;
}

// A panel under a card: related news or the story's articles.
async function togglePanel(card, kind, id, button) {
  const old = card.querySelector('.panel.' + kind);
  if (old) {
    old.remove();
    button.setAttribute('aria-expanded', 'false');
    return;
  }
  const panel = el('div', { class: 'panel ' + kind, 'aria-live': 'polite' }, 'Loading…');
  card.append(panel);
  button.setAttribute('aria-expanded', 'true');
  try {
    const p = new URLSearchParams({ id });
    let items;
    let heading;
    if (kind === 'related') {
      p.set('limit', '5');
      const d = await api('related', p);
      items = d.results;
      heading = 'Related news';
    } else {
      const d = await api('story', p);
      items = d.articles;
      heading = 'This story, oldest first (' + d.count + ')';
    }
    panel.replaceChildren(el('h4', {}, heading));
    if (!items.length) panel.append(el('p', {}, 'Nothing found.'));
    const list = el('ol');
    for (const a of items) {
      list.append(el('li', {}, articleLink(a), ' — ', providerName(a), ' ',
                     (a.published || '').slice(0, 10)));
    }
    panel.append(list);
  } catch (e) {
    panel.replaceChildren(el('p', { class: 'error' }, e.message));
  }
}

function card(h) {
  const a = h.article || h;
  const meta = el('div', { class: 'meta' },
                  el('span', { class: 'provider' }, providerName(a)),
                  el('time', { datetime: a.published || '' }, (a.published || '').slice(0, 10)),
                  a.quality !== null && a.quality !== undefined ? el('span', {}, 'quality ' + a.quality) : null,
                  h.collapsed ? el('span', {}, '+' + h.collapsed + ' more from this story') : null);
  const topics = el('ul', { class: 'topics', 'aria-label': 'Topics' });
  for (const t of a.topics || []) topics.append(el('li', {}, t));
  const snippet = highlighted('p', h.snippet || a.excerpt);
  snippet.className = 'snippet';
  const c = el('li', { class: 'card' }, el('h3', {}, articleLink(a, h.title_highlighted)), meta,
               snippet, topics);
  const related = el('button', { type: 'button', class: 'link related', 'aria-expanded': 'false' }, 'Related');
  related.addEventListener('click', () => togglePanel(c, 'related', a.id, related));
  const actions = el('div', { class: 'actions' }, related);
  if (a.story) {
    const story = el('button', { type: 'button', class: 'link story', 'aria-expanded': 'false' }, 'Story');
    story.addEventListener('click', () => togglePanel(c, 'story', a.id, story));
    actions.append(story);
  }
  c.append(actions);
  return c;
}

function facetList(name, values, p) {
  const box = el('div', { class: 'facet', 'data-facet': name });
  box.append(el('h2', {}, name));
  const list = el('ul');
  for (const v of values) {
    const b = el('button', { type: 'button' }, el('span', {}, v.value), el('span', { class: 'n' }, v.count));
    b.addEventListener('click', () => {
      const q = state();
      if (name === 'year') {
        q.set('since', v.value);
        q.set('until', v.value);
      } else if (!q.getAll(name).includes(v.value)) {
        q.append(name, v.value);
      }
      q.delete('offset');
      go(q);
    });
    list.append(el('li', {}, b));
  }
  box.append(list);
  return box;
}

// The filters in force, each a button that removes it.
function activeFilters(p) {
  const box = $('active');
  box.replaceChildren();
  for (const name of ['topic', 'provider', 'since', 'until', 'min-quality']) {
    for (const v of p.getAll(name)) {
      const b = el('button', { type: 'button', title: 'Remove this filter' }, name + ': ' + v + ' ✕');
      b.addEventListener('click', () => {
        const q = state();
        const rest = q.getAll(name).filter((x) => x !== v);
        q.delete(name);
        for (const x of rest) q.append(name, x);
        q.delete('offset');
        go(q);
      });
      box.append(b);
    }
  }
}

function pager(d, p) {
  const nav = $('pager');
  nav.replaceChildren();
  const offset = d.offset;
  const total = d.total.estimated + (d.relaxed_total ? d.relaxed_total.estimated : 0);
  const to = (o) => () => {
    const q = state();
    if (o > 0) q.set('offset', String(o));
    else q.delete('offset');
    go(q);
    window.scrollTo(0, 0);
  };
  if (offset > 0) {
    const b = el('button', { type: 'button', class: 'link' }, '← Previous');
    b.addEventListener('click', to(Math.max(0, offset - PAGE)));
    nav.append(b);
  }
  if (offset + d.results.length < total && d.results.length === PAGE) {
    const b = el('button', { type: 'button', class: 'link', id: 'next' }, 'Next →');
    b.addEventListener('click', to(offset + PAGE));
    nav.append(b);
  }
}

let generation = 0;

async function render() {
  const p = state();
  fillForm(p);
  activeFilters(p);
  const mine = ++generation;
  const hasFilter = ['topic', 'provider', 'since', 'until', 'min-quality'].some((k) => p.get(k));
  if (!(p.get('q') || '').trim() && !hasFilter) {
    $('status').textContent = 'Type a query, or pick a filter.';
    $('results').replaceChildren();
    $('facets').replaceChildren();
    $('pager').replaceChildren();
    $('corrected').hidden = true;
    return;
  }
  const req = new URLSearchParams();
  for (const [k, v] of p) {
    if (v !== '') req.append(k, v);
  }
  req.set('limit', String(PAGE));
  req.set('facets', FACETS.join(','));
  $('status').textContent = 'Searching…';
  document.title = (p.get('q') || 'Filters') + ' — News search';
  try {
    const d = await api('search', req);
    if (mine !== generation) return;
    const total = d.total.estimated + (d.relaxed_total ? d.relaxed_total.estimated : 0);
    $('status').textContent = d.results.length
      ? 'About ' + total + ' results; showing ' + (d.offset + 1) + '–' + (d.offset + d.results.length)
      : 'No results.';
    const corrected = $('corrected');
    if (d.corrected_query) {
      corrected.textContent = 'Showing results for “' + d.corrected_query + '”.';
      corrected.hidden = false;
    } else if (d.suggestion) {
      corrected.replaceChildren('Did you mean ');
      const b = el('button', { type: 'button', class: 'link' }, d.suggestion);
      b.addEventListener('click', () => setParam('q', d.suggestion));
      corrected.append(b, '?');
      corrected.hidden = false;
    } else {
      corrected.hidden = true;
    }
    $('results').replaceChildren(...d.results.map(card));
    const facets = $('facets');
    facets.replaceChildren();
    for (const name of FACETS) {
      const values = (d.facets || {})[name] || [];
      if (values.length) facets.append(facetList(name, values, p));
    }
    pager(d, p);
  } catch (e) {
    if (mine !== generation) return;
    $('status').replaceChildren(el('span', { class: 'error' }, e.message));
    $('results').replaceChildren();
    $('facets').replaceChildren();
    $('pager').replaceChildren();
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('search').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = state();
    for (const name of ['q', 'since', 'until', 'min-quality', 'sort']) {
      const v = $(name).value.trim();
      if (v) p.set(name, v);
      else p.delete(name);
    }
    p.delete('offset');
    go(p);
  });
  for (const name of ['since', 'until', 'min-quality', 'sort']) {
    $(name).addEventListener('change', () => setParam(name, $(name).value.trim()));
  }
  document.addEventListener('keydown', (ev) => {
    const t = ev.target;
    const typing = t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement ||
                   t instanceof HTMLSelectElement;
    if (ev.key === '/' && !typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      ev.preventDefault();
      $('q').focus();
      $('q').select();
    }
  });
  window.addEventListener('popstate', render);
  render();
});
