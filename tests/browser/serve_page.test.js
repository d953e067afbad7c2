// The web page of `searcher serve` in a real browser (Debian's chromium, headless, driven by
// puppeteer-core): search with the keyboard, results as cards, a facet that filters, related
// news and a story opened under a card, the state in the URL, a phone-width screen, and an
// article whose title and excerpt hold <script> and <img onerror> shown as text.
//   node serve_page.test.js   (env: SEARCHER_BIN, INDEXER_BIN, SOURCE_DIR; NODE_PATH for
//   puppeteer-core; CHROMIUM (default /usr/bin/chromium); SCREENSHOT=FILE to keep one)
'use strict';

const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const puppeteer = require('puppeteer-core');

const SEARCHER = process.env.SEARCHER_BIN;
const INDEXER = process.env.INDEXER_BIN;
const SOURCE = process.env.SOURCE_DIR;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const HOSTILE_TITLE = '<script>window.pwned=1</script> Zebra <img src=x onerror="window.pwned=2">';
const HOSTILE_EXCERPT = '<img src=x onerror="window.pwned=3"> zebra crossing <b>bold</b>';

function startServer(index) {
  return new Promise((resolve, reject) => {
    const child = spawn(SEARCHER, ['serve', '--index', index, '--listen', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) resolve({ child, base: m[1] });
    });
    child.on('exit', (code) => reject(new Error('server exited with ' + code)));
  });
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsearch-browser-'));
  let server;
  let browser;
  try {
    const corpus = path.join(dir, 'corpus');
    fs.cpSync(path.join(SOURCE, 'sample-corpus'), corpus, { recursive: true });
    const yaml = (s) => "'" + s.replace(/'/g, "''") + "'";
    fs.writeFileSync(path.join(corpus, 'hostile.md'),
                     '---\ntitle: ' + yaml(HOSTILE_TITLE) + '\nexcerpt: ' + yaml(HOSTILE_EXCERPT) +
                         '\nwebUrl: https://hostile.example/zebra\n' +
                         'publishedDateTime: 2021-06-01T10:00:00Z\nquality: 50\n' +
                         'provider: {name: "<i>Evil</i> News", domain: evil.example}\n' +
                         'topics: ["<svg onload=alert(1)>"]\n---\n');
    const index = path.join(dir, 'index');
    execFileSync(INDEXER, ['--quiet', '--index', index, corpus], { stdio: ['ignore', 'ignore', 'inherit'] });
    server = await startServer(index);

    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    const page = await browser.newPage();
    const dialogs = [];
    page.on('dialog', async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.setDefaultTimeout(15000);
    await page.setViewport({ width: 1100, height: 900 });

    // Load, focus the box with "/", type a query, Enter.
    await page.goto(server.base + '/', { waitUntil: 'networkidle0' });
    await page.click('body');
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'q', '"/" focuses the box');
    await page.keyboard.type('kubernetes');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#results .card');
    const titles = await page.$$eval('#results .card h3', (hs) => hs.map((h) => h.textContent));
    assert.ok(titles.length >= 5, 'results: ' + titles.length);
    assert.ok(titles.some((t) => /kubernetes/i.test(t)), titles.join(' | '));
    assert.ok(await page.$('#results .card h3 mark'), 'the query word is highlighted');
    assert.match(page.url(), /[?&]q=kubernetes/, 'the query is in the URL');
    const firstHref = await page.$eval('#results .card h3 a', (a) => a.href);
    assert.match(firstHref, /^https:\/\//);

    // A provider facet filters the results.
    await page.waitForSelector('[data-facet=provider] button');
    const facet = await page.$eval('[data-facet=provider] button span', (s) => s.textContent);
    await page.click('[data-facet=provider] button');
    await page.waitForFunction(() => location.search.includes('provider='));
    await page.waitForFunction(
        (f) => [...document.querySelectorAll('#results .card .provider')].length > 0 &&
               [...document.querySelectorAll('#results .card .provider')].every(
                   (p) => p.textContent.toLowerCase().replace(/\s/g, '') === f.toLowerCase().replace(/\s/g, '') ||
                          p.textContent.toLowerCase().includes(f.toLowerCase())),
        {}, facet);
    assert.ok(await page.$('#active button'), 'the filter is shown and removable');

    // The state is in the URL: reloading it shows the same page.
    const url = page.url();
    const before = await page.$$eval('#results .card h3', (hs) => hs.map((h) => h.textContent));
    await page.goto(url, { waitUntil: 'networkidle0' });
    await page.waitForSelector('#results .card');
    const after = await page.$$eval('#results .card h3', (hs) => hs.map((h) => h.textContent));
    assert.deepEqual(after, before);

    // Related news and the story under a card.
    await page.goto(server.base + '/?q=glasshopper', { waitUntil: 'networkidle0' });
    await page.waitForSelector('#results .card .related');
    await page.click('#results .card .related');
    await page.waitForSelector('#results .card .panel.related li');
    const related = await page.$$eval('#results .card .panel.related li', (l) => l.length);
    assert.ok(related >= 1, 'related: ' + related);
    await page.click('#results .card .story');
    await page.waitForSelector('#results .card .panel.story li');
    const story = await page.$$eval('#results .card .panel.story li', (l) => l.length);
    assert.ok(story >= 2, 'the GlassHopper story has several articles: ' + story);

    // "Showing results for ..." when the query was corrected.
    await page.goto(server.base + '/?q=kubernetse', { waitUntil: 'networkidle0' });
    await page.waitForSelector('#corrected:not([hidden])');
    assert.match(await page.$eval('#corrected', (c) => c.textContent), /kubernetes/i);

    // The hostile article: its markup is text, nothing of it runs.
    await page.goto(server.base + '/?q=zebra', { waitUntil: 'networkidle0' });
    await page.waitForSelector('#results .card');
    const card = await page.$eval('#results .card', (c) => ({
      title: c.querySelector('h3').textContent,
      snippet: c.querySelector('.snippet').textContent,
      provider: c.querySelector('.provider').textContent,
      topics: c.querySelector('.topics').textContent,
      imgs: c.querySelectorAll('img, script, svg, b, i').length,
    }));
    assert.ok(card.title.includes('<script>window.pwned=1</script>'), card.title);
    assert.ok(card.title.includes('<img src=x onerror="window.pwned=2">'), card.title);
    assert.ok(card.snippet.includes('<img src=x onerror="window.pwned=3">'), card.snippet);
    assert.equal(card.provider, '<i>Evil</i> News');
    assert.ok(card.topics.includes('<svg onload=alert(1)>'), card.topics);
    assert.equal(card.imgs, 0, 'no element made from article text');
    await page.click('#results .card .related');
    await page.waitForSelector('#results .card .panel.related');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await page.evaluate(() => window.pwned), undefined, 'no article script ran');
    assert.deepEqual(dialogs, []);

    // A phone-width screen: no sideways scrolling, the box and the cards fit.
    await page.setViewport({ width: 360, height: 740, isMobile: true, hasTouch: true });
    await page.goto(server.base + '/?q=kubernetes', { waitUntil: 'networkidle0' });
    await page.waitForSelector('#results .card');
    const widths = await page.evaluate(() => ({
      doc: document.documentElement.scrollWidth,
      view: window.innerWidth,
    }));
    assert.ok(widths.doc <= widths.view, JSON.stringify(widths));
    if (process.env.SCREENSHOT) {
      await page.setViewport({ width: 1100, height: 900 });
      await page.goto(server.base + '/?q=kubernetes+security', { waitUntil: 'networkidle0' });
      await page.waitForSelector('#results .card');
      await page.screenshot({ path: process.env.SCREENSHOT });
    }
    assert.deepEqual(pageErrors, [], 'no script errors');
    console.log('browser test: 1 passed, 0 failed');
  } finally {
    if (browser) await browser.close();
    if (server) server.child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  console.log('browser test: 0 passed, 1 failed');
  process.exit(1);
});
