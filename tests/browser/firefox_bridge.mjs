// Firefox for the engine tests (tests/browser/engines.py starts this with node):
// puppeteer-core drives the Firefox named on the command line (`node
// firefox_bridge.mjs <executable> <width> <height>`), headless, over WebDriver BiDi:
// one page, of that viewport, for the whole session.
//
// One JSON object a line on stdin, {id, op, ...}; one line on stdout for each,
// {id, value} or {id, error}. Before any, {id: 0, value: <the browser's version>}
// says the browser is up. The ops are those of engines.Engine:
//   goto {url}                load it, wait for the load event
//   evaluate {source, arg}    call the function `source` with the JSON `arg` in the
//                             page, await what it returns, answer it as JSON
//   move {x, y}               the pointer there (viewport pixels)
//   click                     a click where the pointer is
//   press {key}               "Enter", "i", "Control+Enter" to the focused element
//   type {text}               typed key by key
//   console                   the console messages since the last ask
//   close
import readline from "node:readline";
import puppeteer from "puppeteer-core";

const [executablePath, width, height] = process.argv.slice(2);
const browser = await puppeteer.launch({ browser: "firefox", executablePath, headless: true });
// (A page of our own: the tab Firefox starts with never gets the focus, so focus()
// would fire no focus events in it.)
const page = await browser.newPage();
await page.setViewport({ width: Number(width), height: Number(height) });
let messages = [];
page.on("console", (message) => messages.push(`${message.type()}: ${message.text()}`));
page.on("pageerror", (error) => messages.push(`pageerror: ${error.message}`));

function say(answer) {
  process.stdout.write(JSON.stringify(answer) + "\n");
}

async function press(key) {
  const keys = key.split("+");
  const last = keys.pop();
  for (const modifier of keys) await page.keyboard.down(modifier);
  await page.keyboard.press(last);
  for (const modifier of keys.reverse()) await page.keyboard.up(modifier);
}

const ops = {
  goto: ({ url }) => page.goto(url, { waitUntil: "load" }).then(() => null),
  // (An expression, not a function object: puppeteer hands a function's own source
  // over, and the argument goes in as JSON text.)
  evaluate: ({ source, arg }) => page.evaluate(`(${source})(${JSON.stringify(arg ?? null)})`),
  move: ({ x, y }) => page.mouse.move(x, y),
  click: async () => {
    await page.mouse.down();
    await page.mouse.up();
  },
  press: ({ key }) => press(key),
  type: ({ text }) => page.keyboard.type(text),
  console: () => {
    const seen = messages;
    messages = [];
    return seen;
  },
  close: () => browser.close(),
};

say({ id: 0, value: await browser.version() });
const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  const { id, op, ...args } = JSON.parse(line);
  try {
    const value = await ops[op](args);
    say({ id, value: value === undefined ? null : value });
  } catch (error) {
    say({ id, error: String((error && error.stack) || error) });
  }
  if (op === "close") break;
}
await browser.close().catch(() => {});
process.exit(0);
