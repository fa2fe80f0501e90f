//! Real-browser journeys (issue 12): Debian's Chromium, driven over WebDriver
//! (chromedriver) with the keyboard alone, through both partner forms (one
//! refusal and one success each), the tracking page and the staff sign-in, in
//! English and in Traditional Chinese.
//!
//! On every state (each page, each refusal, each success) the page must have
//! no axe-core violation, no sideways scrolling at 375 px, a label for every
//! control and valid ARIA references; its screenshot goes to
//! `target/browser-screenshots/` and the HTML the server sent to
//! `target/browser-html/`, which the Nu HTML checker reads at the end. After a
//! refusal the error summary has focus, and each of its links moves focus to
//! an existing field.
//!
//! Needs `chromedriver` and `chromium` (Debian: `chromium-driver`,
//! `chromium`) and `npm ci --prefix tests/browser` (axe-core, and vnu-jar,
//! which runs on Java). Without them each test prints "skipped: …" and
//! passes, unless `FRONTLINE_BROWSER_TESTS=required` (as in CI), which makes
//! anything missing a failure.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use fantoccini::actions::{InputSource as _, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

use crate::helpers::*;

/// The phone-sized viewport every state is checked at.
const WIDTH: u32 = 375;
const HEIGHT: u32 = 900;
/// The longest wait for a page or an element; polls every `POLL`.
const WAIT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(50);
/// Tab presses allowed to cross a page before the test gives up.
const MAX_TABS: usize = 150;

/// One browser at a time: the machine's two cores are shared with the rest of
/// the suite, and a starved Chromium makes for slow, flaky waits.
static ONE_BROWSER: Mutex<()> = Mutex::new(());

#[derive(Clone, Copy, PartialEq)]
enum Lang {
    En,
    ZhTw,
}

const LANGS: [Lang; 2] = [Lang::En, Lang::ZhTw];

impl Lang {
    fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhTw => "zh-TW",
        }
    }

    fn html_lang(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhTw => "zh-Hant-TW",
        }
    }

    /// The first URL of a journey: English is the default (no cookie, an
    /// English browser); Chinese is chosen by `?lang=`, which sets the cookie
    /// that the rest of the journey follows.
    fn entry(self, path: &str) -> String {
        match self {
            Lang::En => path.to_string(),
            Lang::ZhTw => format!("{path}?lang=zh-TW"),
        }
    }
}

// ---------------------------------------------------------------------------
// Tools: found once per process; missing ones skip, or fail when required.

struct Tools {
    chromedriver: PathBuf,
    chromium: PathBuf,
    axe: String,
    vnu: Result<PathBuf, String>,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        Some(p) if p.is_absolute() => p,
        Some(p) => repo().join(p),
        None => repo().join("target"),
    }
}

fn required() -> bool {
    std::env::var("FRONTLINE_BROWSER_TESTS").is_ok_and(|v| v.trim() == "required")
}

fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).flat_map(|dir| names.iter().map(move |n| dir.join(n))).find(|p| p.is_file())
}

/// `var` if set (it must name a file), else the first of `names` on PATH.
fn tool(var: &str, names: &[&str]) -> Option<PathBuf> {
    match std::env::var_os(var) {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)).filter(|p| p.is_file()),
        _ => which(names),
    }
}

fn find_tools() -> Result<Tools, String> {
    let chromedriver = tool("FRONTLINE_CHROMEDRIVER", &["chromedriver"]).ok_or(
        "no chromedriver (neither FRONTLINE_CHROMEDRIVER nor PATH; Debian: apt-get install chromium chromium-driver)",
    )?;
    let chromium = tool("FRONTLINE_CHROMIUM", &["chromium", "chromium-browser", "google-chrome"])
        .ok_or("no chromium (neither FRONTLINE_CHROMIUM nor PATH; Debian: apt-get install chromium chromium-driver)")?;
    let axe_path = repo().join("tests/browser/node_modules/axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&axe_path)
        .map_err(|e| format!("no axe-core at {} ({e}): run `npm ci --prefix tests/browser`", axe_path.display()))?;
    let jar = repo().join("tests/browser/node_modules/vnu-jar/build/dist/vnu.jar");
    let java = Command::new("java")
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let vnu = if !jar.is_file() {
        Err(format!("no Nu HTML checker at {}: run `npm ci --prefix tests/browser`", jar.display()))
    } else if !java {
        Err("no `java` on PATH for the Nu HTML checker".to_string())
    } else {
        Ok(jar)
    };
    Ok(Tools { chromedriver, chromium, axe, vnu })
}

fn tools() -> Result<&'static Tools, String> {
    static TOOLS: OnceLock<Result<Tools, String>> = OnceLock::new();
    TOOLS.get_or_init(find_tools).as_ref().map_err(Clone::clone)
}

/// Says why a test does not run, past the harness's output capture.
fn skip(test: &str, why: &str) {
    if required() {
        panic!("{test}: FRONTLINE_BROWSER_TESTS=required, but {why}");
    }
    let _ = writeln!(
        std::io::stderr(),
        "skipped: browser test {test}: {why} (set FRONTLINE_BROWSER_TESTS=required to make this a failure)"
    );
}

/// Runs `journey` with a fresh app and a fresh browser, one browser test at
/// a time; skips when the tools are missing.
fn browser_test<F>(test: &'static str, journey: F)
where
    F: AsyncFnOnce(&mut Browser, &TestApp),
{
    if std::env::var("FRONTLINE_BROWSER_TESTS").is_ok_and(|v| v.trim() == "off") {
        return skip(test, "FRONTLINE_BROWSER_TESTS=off");
    }
    let tools = match tools() {
        Ok(t) => t,
        Err(why) => return skip(test, &why),
    };
    let _one = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    actix_web::rt::System::new().block_on(async {
        let started = Instant::now();
        let app = spawn_app().await;
        let mut browser = match Browser::start(tools, test).await {
            Ok(b) => b,
            Err(why) => return skip(test, &why),
        };
        journey(&mut browser, &app).await;
        browser.finish().await;
        let _ = writeln!(std::io::stderr(), "browser test {test}: {:.1} s", started.elapsed().as_secs_f64());
    });
}

// ---------------------------------------------------------------------------
// chromedriver, one per test on a free port, killed with its browser.

struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    async fn start(tools: &Tools) -> Result<Driver, String> {
        use std::os::unix::process::CommandExt as _;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let child = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so that the browser it starts dies with it.
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", tools.chromedriver.display()))?;
        let driver = Driver { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err(format!("{} did not listen on port {port}", tools.chromedriver.display()));
            }
            tokio::time::sleep(POLL).await;
        }
        Ok(driver)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: kill(2) on the process group this struct started.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
        let _ = self.child.wait();
    }
}

/// A WebDriver command fantoccini has no method for: chromedriver's log and
/// Chrome DevTools Protocol endpoints.
#[derive(Debug)]
struct Raw {
    path: &'static str,
    body: Value,
}

impl WebDriverCompatibleCommand for Raw {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/{}", session_id.unwrap_or_default(), self.path))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

// ---------------------------------------------------------------------------
// The browser and what it checks.

/// What has keyboard focus.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct Active {
    tag: String,
    kind: String,
    id: String,
    name: String,
    value: String,
    checked: bool,
    href: String,
    submit: bool,
    files: usize,
    text: String,
}

impl Active {
    fn describe(&self) -> String {
        let mut s = self.tag.clone();
        if !self.id.is_empty() {
            s.push_str(&format!("#{}", self.id));
        } else if !self.href.is_empty() {
            s.push_str(&format!("[href={}]", self.href));
        }
        s
    }
}

const ACTIVE_JS: &str = r#"
const a = document.activeElement;
if (!a || a === document.body) return { tag: a ? 'body' : '' };
return {
  tag: a.tagName.toLowerCase(),
  kind: (a.getAttribute('type') || '').toLowerCase(),
  id: a.id || '',
  name: a.getAttribute('name') || '',
  value: typeof a.value === 'string' ? a.value : '',
  checked: !!a.checked,
  href: a.getAttribute('href') || '',
  submit: a.matches('form button[type=submit], form input[type=submit]'),
  files: a.files ? a.files.length : 0,
  text: (a.textContent || '').trim().slice(0, 80),
};"#;

/// Layout, labels and references on the page, as a list of problems.
const PAGE_JS: &str = r#"
const problems = [];
const html = document.documentElement;
const want = arguments[0];
if (html.lang !== want) problems.push(`<html lang="${html.lang}">, expected "${want}"`);
if (window.innerWidth !== arguments[1]) problems.push(`viewport is ${window.innerWidth} px wide, not ${arguments[1]}`);
if (html.scrollWidth > html.clientWidth) {
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > html.clientWidth + 0.5)
    .slice(0, 5)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') + ` (right edge ${Math.round(e.getBoundingClientRect().right)} px)`);
  problems.push(`scrolls sideways at ${html.clientWidth} px: content is ${html.scrollWidth} px wide; widest: ${wide.join(', ')}`);
}
const describe = el => el.tagName.toLowerCase() + (el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : '') + (el.id ? '#' + el.id : '');
for (const el of document.querySelectorAll('input, select, textarea')) {
  const type = (el.getAttribute('type') || '').toLowerCase();
  if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) continue;
  if (!el.id) { problems.push(`${describe(el)} has no id, so no label can name it`); continue; }
  const labels = [...document.querySelectorAll('label')].filter(l => l.htmlFor === el.id && l.textContent.trim());
  if (labels.length === 0) problems.push(`${describe(el)} has no <label for="${el.id}"> with text`);
  if (type === 'radio') {
    const legend = el.closest('fieldset')?.querySelector(':scope > legend');
    if (!legend || !legend.textContent.trim()) problems.push(`${describe(el)} is a radio outside a fieldset with a legend`);
  }
}
for (const l of document.querySelectorAll('label[for]')) {
  const target = document.getElementById(l.htmlFor);
  if (!target || !target.matches('input, select, textarea, button')) problems.push(`<label for="${l.htmlFor}"> names no control`);
}
const ids = new Map();
for (const el of document.querySelectorAll('[id]')) ids.set(el.id, (ids.get(el.id) || 0) + 1);
for (const [id, n] of ids) if (n > 1) problems.push(`id "${id}" is used ${n} times`);
for (const attr of ['aria-describedby', 'aria-labelledby', 'aria-controls']) {
  for (const el of document.querySelectorAll(`[${attr}]`)) {
    for (const id of el.getAttribute(attr).split(/\s+/).filter(Boolean)) {
      if (!document.getElementById(id)) problems.push(`${describe(el)} ${attr} names "${id}", which is not on the page`);
    }
  }
}
if (document.querySelectorAll('h1').length !== 1) problems.push(`${document.querySelectorAll('h1').length} h1 elements`);
return problems;"#;

/// The error summary after a refusal: its links and where they point.
const SUMMARY_JS: &str = r#"
const s = document.querySelector('.error-summary');
if (!s) return null;
const hiddenless = el => { const c = el.cloneNode(true); c.querySelectorAll('.visually-hidden').forEach(h => h.remove()); return c.textContent.trim(); };
const inline = [...document.querySelectorAll('.error-message')].map(hiddenless);
const links = [...s.querySelectorAll('a')].map(a => {
  const href = a.getAttribute('href') || '';
  const target = href.startsWith('#') ? document.getElementById(href.slice(1)) : null;
  return {
    href,
    text: a.textContent.trim(),
    target: target ? target.tagName.toLowerCase() + (target.type ? `[type=${target.type}]` : '') : '',
    control: !!target && target.matches('input:not([type=hidden]), select, textarea'),
    inline: inline.includes(a.textContent.trim()),
  };
});
const targets = links.map(l => document.getElementById(l.href.slice(1))).filter(Boolean);
let ordered = true;
for (let i = 1; i < targets.length; i++) {
  if (targets[i - 1].compareDocumentPosition(targets[i]) & Node.DOCUMENT_POSITION_PRECEDING) ordered = false;
}
return {
  focused: document.activeElement === s,
  alert: !!s.querySelector('[role=alert]'),
  heading: !!s.querySelector('h2'),
  links,
  ordered,
};"#;

const AXE_RUN_JS: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] }).then(
  r => done(r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({ target: n.target.join(' '), summary: n.failureSummary || '' })),
  }))),
  e => done({ error: String(e) }),
);"#;

struct Browser {
    client: Client,
    tools: &'static Tools,
    test: &'static str,
    /// Everything that failed, reported together at the end.
    problems: Vec<String>,
    html_files: Vec<PathBuf>,
    lang: Lang,
    /// Kept last: dropped (killed) after the client.
    _driver: Driver,
}

impl Browser {
    async fn start(tools: &'static Tools, test: &'static str) -> Result<Browser, String> {
        let driver = Driver::start(tools).await?;
        let caps: Capabilities = serde_json::from_value(json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": tools.chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    format!("--window-size={WIDTH},{HEIGHT}"), "--lang=en-US", "--no-first-run",
                    "--disable-extensions", "--disable-background-networking",
                ],
                "prefs": { "intl.accept_languages": "en-US,en" },
            },
            // The performance log names each document's request, so the test
            // can read the HTML exactly as the server sent it.
            "goog:loggingPrefs": { "performance": "ALL" },
        }))
        .map_err(|e| format!("capabilities: {e}"))?;
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}/", driver.port))
            .await
            .map_err(|e| format!("chromedriver could not start {}: {e}", tools.chromium.display()))?;
        let browser = Browser {
            client,
            tools,
            test,
            problems: Vec::new(),
            html_files: Vec::new(),
            lang: Lang::En,
            _driver: driver,
        };
        // A desktop browser will not open narrower than 500 px: emulate the
        // phone's width (it holds for every page of the session).
        browser
            .cdp(
                "Emulation.setDeviceMetricsOverride",
                json!({ "width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": true }),
            )
            .await;
        Ok(browser)
    }

    /// Runs the Nu HTML checker over every saved page, closes the browser and
    /// fails with every problem found.
    async fn finish(mut self) {
        self.validate_html();
        let _ = self.client.clone().close().await;
        if !self.problems.is_empty() {
            panic!("{}: {} problem(s):\n- {}", self.test, self.problems.len(), self.problems.join("\n- "));
        }
    }

    fn problem(&mut self, p: String) {
        let _ = writeln!(std::io::stderr(), "{}: {p}", self.test);
        self.problems.push(p);
    }

    async fn try_js(&self, script: &str, args: Vec<Value>) -> Result<Value, fantoccini::error::CmdError> {
        self.client.execute(script, args).await
    }

    async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.try_js(script, args).await.unwrap_or_else(|e| panic!("{}: script failed: {e}\n{script}", self.test))
    }

    async fn cmd(&self, path: &'static str, body: Value) -> Value {
        self.client.issue_cmd(Raw { path, body }).await.unwrap_or_else(|e| panic!("{}: {path}: {e}", self.test))
    }

    async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.cmd("goog/cdp/execute", json!({ "cmd": cmd, "params": params })).await
    }

    /// Waits until `condition` (a script returning true) holds.
    async fn wait_until(&self, condition: &str, what: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(Value::Bool(true)) = self.try_js(condition, vec![]).await {
                return;
            }
            if Instant::now() > deadline {
                let url = self.client.current_url().await.map(|u| u.to_string()).unwrap_or_default();
                panic!("{}: timed out waiting for {what} (at {url})", self.test);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn path(&self) -> String {
        self.client.current_url().await.expect("current URL").path().to_string()
    }

    // --- keyboard -----------------------------------------------------------

    async fn keys(&self, keys: &[char]) {
        let mut actions = KeyActions::new("keyboard".into());
        for &k in keys {
            actions = actions.then(KeyAction::Down { value: k }).then(KeyAction::Up { value: k });
        }
        self.client.perform_actions(actions).await.unwrap_or_else(|e| panic!("{}: keys: {e}", self.test));
    }

    async fn press(&self, key: Key) {
        self.keys(&[key.into()]).await;
    }

    async fn press_times(&self, key: Key, n: usize) {
        if n > 0 {
            self.keys(&vec![key.into(); n]).await;
        }
    }

    async fn type_text(&self, text: &str) {
        let chars: Vec<char> = text.chars().collect();
        self.keys(&chars).await;
    }

    /// Control+A, Backspace: empties the focused text control.
    async fn clear_field(&self) {
        let ctrl: char = Key::Control.into();
        let actions = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: ctrl })
            .then(KeyAction::Down { value: 'a' })
            .then(KeyAction::Up { value: 'a' })
            .then(KeyAction::Up { value: ctrl })
            .then(KeyAction::Down { value: Key::Backspace.into() })
            .then(KeyAction::Up { value: Key::Backspace.into() });
        self.client.perform_actions(actions).await.unwrap_or_else(|e| panic!("{}: keys: {e}", self.test));
    }

    async fn active(&self) -> Active {
        serde_json::from_value(self.js(ACTIVE_JS, vec![]).await).expect("active element")
    }

    async fn tab(&self) -> Active {
        self.press(Key::Tab).await;
        self.active().await
    }

    /// Marks the current document, so that a new one can be told apart.
    async fn mark_document(&self) {
        self.js("window.__frontlineOldDocument = true; return true;", vec![]).await;
    }

    async fn wait_new_document(&self, what: &str) {
        self.wait_until(
            "return !window.__frontlineOldDocument && document.readyState === 'complete';",
            &format!("the page after {what}"),
        )
        .await;
    }

    /// Presses Enter on what has focus and waits for the next page.
    async fn enter_and_wait(&self, what: &str) {
        self.mark_document().await;
        self.press(Key::Enter).await;
        self.wait_new_document(what).await;
    }

    // --- navigation ---------------------------------------------------------

    /// Opens a page by its address, as a person pasting a link would.
    async fn open(&self, app: &TestApp, path: &str) {
        self.client.goto(&app.url(path)).await.unwrap_or_else(|e| panic!("{}: open {path}: {e}", self.test));
        self.wait_until("return document.readyState === 'complete';", path).await;
    }

    /// Tabs from the top of the page to the link to `href` and follows it.
    async fn follow_link(&mut self, href: &str) {
        for _ in 0..MAX_TABS {
            let a = self.tab().await;
            if a.tag == "a" && a.href == href {
                self.enter_and_wait(&format!("following {href}")).await;
                return;
            }
        }
        panic!("{}: no link to {href} reached with Tab on {}", self.test, self.path().await);
    }

    /// Starts a language: no cookies, so English is the default and Chinese
    /// comes from `?lang=zh-TW` alone.
    async fn begin(&mut self, app: &TestApp, lang: Lang, path: &str) {
        self.lang = lang;
        self.client.delete_all_cookies().await.expect("delete cookies");
        self.open(app, &lang.entry(path)).await;
    }

    // --- checks on every state ----------------------------------------------

    /// Checks the page now shown and keeps its screenshot and HTML under
    /// `{language}-{state}`.
    async fn state(&mut self, state: &str) {
        let name = format!("{}-{state}", self.lang.code());
        self.wait_until("return document.readyState === 'complete';", &name).await;
        self.save_html(&name).await;
        let page = self.js(PAGE_JS, vec![json!(self.lang.html_lang()), json!(WIDTH)]).await;
        for p in page.as_array().into_iter().flatten() {
            self.problem(format!("{name}: {}", p.as_str().unwrap_or_default()));
        }
        self.axe(&name).await;
        self.screenshot(&name).await;
    }

    async fn axe(&mut self, name: &str) {
        if let Err(e) = self.try_js(&self.tools.axe, vec![]).await {
            return self.problem(format!("{name}: axe-core could not be injected: {e}"));
        }
        let found = match self.client.execute_async(AXE_RUN_JS, vec![]).await {
            Ok(v) => v,
            Err(e) => return self.problem(format!("{name}: axe-core did not run: {e}")),
        };
        let Some(violations) = found.as_array() else {
            return self.problem(format!("{name}: axe-core failed: {found}"));
        };
        for v in violations {
            let nodes: Vec<String> = v["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|n| {
                    format!(
                        "\n    at {}: {}",
                        n["target"].as_str().unwrap_or_default(),
                        n["summary"].as_str().unwrap_or_default().replace('\n', " ")
                    )
                })
                .collect();
            self.problem(format!(
                "{name}: axe {} ({}): {} ({}){}",
                v["id"].as_str().unwrap_or_default(),
                v["impact"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or_default(),
                v["helpUrl"].as_str().unwrap_or_default(),
                nodes.concat()
            ));
        }
    }

    async fn screenshot(&mut self, name: &str) {
        let height = self.js("return Math.ceil(document.documentElement.scrollHeight);", vec![]).await;
        let shot = self
            .cdp(
                "Page.captureScreenshot",
                json!({
                    "format": "png",
                    "captureBeyondViewport": true,
                    "clip": { "x": 0, "y": 0, "width": WIDTH, "height": height.as_u64().unwrap_or(HEIGHT.into()), "scale": 1 },
                }),
            )
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap_or_default())
            .expect("screenshot is base64");
        let dir = target_dir().join("browser-screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    /// Saves the HTML of the current document as the server sent it (from
    /// the browser's network log, not the DOM the parser made of it).
    async fn save_html(&mut self, name: &str) {
        let mut url = self.client.current_url().await.expect("current URL");
        url.set_fragment(None);
        let log = self.cmd("se/log", json!({ "type": "performance" })).await;
        let request = log
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|entry| serde_json::from_str::<Value>(entry["message"].as_str()?).ok())
            .filter(|m| m["message"]["method"] == "Network.responseReceived")
            .filter(|m| m["message"]["params"]["type"] == "Document")
            .filter(|m| {
                let got = m["message"]["params"]["response"]["url"].as_str().unwrap_or_default();
                got.split('#').next() == Some(url.as_str())
            })
            .filter_map(|m| m["message"]["params"]["requestId"].as_str().map(str::to_string))
            .next_back();
        let Some(request) = request else {
            return self.problem(format!("{name}: no document response for {url} in the browser's log"));
        };
        let body = self.cdp("Network.getResponseBody", json!({ "requestId": request })).await;
        let html = if body["base64Encoded"] == true {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(body["body"].as_str().unwrap_or_default())
                .expect("body is base64");
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            body["body"].as_str().unwrap_or_default().to_string()
        };
        let dir = target_dir().join("browser-html");
        std::fs::create_dir_all(&dir).expect("html dir");
        let file = dir.join(format!("{name}.html"));
        std::fs::write(&file, html).expect("write html");
        self.html_files.push(file);
    }

    fn validate_html(&mut self) {
        let jar = match &self.tools.vnu {
            Ok(jar) => jar.clone(),
            Err(why) if required() => return self.problem(format!("FRONTLINE_BROWSER_TESTS=required, but {why}")),
            Err(why) => {
                let _ = writeln!(std::io::stderr(), "skipped: the Nu HTML checker in {}: {why}", self.test);
                return;
            }
        };
        if self.html_files.is_empty() {
            return;
        }
        let out = Command::new("java")
            .arg("-jar")
            .arg(&jar)
            .args(["--errors-only", "--format", "gnu"])
            .args(&self.html_files)
            .output();
        match out {
            Ok(out) if out.status.success() => {}
            Ok(out) => {
                let text = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
                let base = target_dir().join("browser-html");
                for line in text.lines().filter(|l| !l.trim().is_empty()) {
                    let line = line
                        .replace(&format!("\"file:{}/", base.display()), "\"")
                        .replace(&format!("{}/", base.display()), "");
                    self.problem(format!("Nu HTML checker: {line}"));
                }
            }
            Err(e) => self.problem(format!("the Nu HTML checker did not run: {e}")),
        }
    }

    // --- forms ---------------------------------------------------------------

    /// Tabs through the page from where focus is to the form's submit button,
    /// answering each named control on the way by keyboard, then presses
    /// Enter. Fails if a control to answer is never reached.
    async fn fill_and_send(&mut self, answers: &[(&str, String)], file: Option<&Path>, what: &str) {
        let mut pending: Vec<&str> = answers.iter().map(|(n, _)| *n).collect();
        if file.is_some() {
            pending.push("invoice_file");
        }
        let mut order = Vec::new();
        for _ in 0..MAX_TABS {
            let a = self.tab().await;
            order.push(a.describe());
            if a.submit {
                if !pending.is_empty() {
                    self.problem(format!(
                        "{what}: Tab never reached {pending:?} before the submit button; focus order: {}",
                        order.join(" → ")
                    ));
                }
                self.enter_and_wait(what).await;
                return;
            }
            let Some(i) = pending.iter().position(|n| !a.name.is_empty() && *n == a.name) else { continue };
            pending.remove(i);
            if a.kind == "file" {
                if let Some(path) = file {
                    let el = self.client.active_element().await.expect("file input");
                    el.send_keys(&path.display().to_string()).await.expect("choose file");
                    if self.active().await.files != 1 {
                        self.problem(format!("{what}: the file was not chosen in #{}", a.id));
                    }
                }
                continue;
            }
            let want = answers.iter().find(|(n, _)| *n == a.name).map(|(_, v)| v.as_str()).unwrap_or_default();
            match (a.tag.as_str(), a.kind.as_str()) {
                ("input", "radio") => self.choose_radio(&a, want, what).await,
                ("input", "checkbox") => {
                    if a.checked != (want == "on") {
                        self.press(Key::Space).await;
                    }
                    if self.active().await.checked != (want == "on") {
                        self.problem(format!("{what}: Space did not toggle #{}", a.id));
                    }
                }
                ("select", _) => self.choose_option(&a, want, what).await,
                _ => {
                    if a.value != want {
                        if !a.value.is_empty() {
                            self.clear_field().await;
                        }
                        self.type_text(want).await;
                    }
                    let got = self.active().await.value;
                    if got != want {
                        self.problem(format!("{what}: typed {want:?} into #{}, it holds {got:?}", a.id));
                    }
                }
            }
        }
        panic!("{}: {what}: no submit button within {MAX_TABS} Tabs: {}", self.test, order.join(" → "));
    }

    /// Arrow keys through a radio group to `want`, Space to select it.
    async fn choose_radio(&mut self, first: &Active, want: &str, what: &str) {
        let mut a = self.active().await;
        for _ in 0..20 {
            if a.name != first.name {
                return self.problem(format!("{what}: arrow keys left the {} radios", first.name));
            }
            if a.value == want {
                if !a.checked {
                    self.press(Key::Space).await;
                }
                break;
            }
            self.press(Key::Down).await;
            a = self.active().await;
        }
        let sel = format!("input[name=\"{}\"]:checked", first.name);
        let got = self.js("return document.querySelector(arguments[0])?.value ?? '';", vec![json!(sel)]).await;
        if got != want {
            self.problem(format!("{what}: could not choose {want:?} among the {} radios (got {got})", first.name));
        }
    }

    /// Types the start of the option's text (the select's type-ahead), then
    /// arrow keys the rest of the way.
    async fn choose_option(&mut self, a: &Active, want: &str, what: &str) {
        const OPTION_JS: &str = "const s = document.activeElement; \
            const i = [...s.options].findIndex(o => o.value === arguments[0]); \
            return [i, i < 0 ? '' : s.options[i].text, s.selectedIndex];";
        let info = self.js(OPTION_JS, vec![json!(want)]).await;
        let (Some(index), Some(text)) = (info[0].as_i64(), info[1].as_str()) else {
            return self.problem(format!("{what}: #{} gives {info}", a.id));
        };
        if index < 0 {
            return self.problem(format!("{what}: #{} has no option {want:?}", a.id));
        }
        if info[2].as_i64() != Some(index) {
            let word: String = text.chars().take_while(|c| !c.is_whitespace()).collect();
            if !word.is_empty() && !want.is_empty() {
                self.type_text(&word).await;
            }
            let now = self.js(OPTION_JS, vec![json!(want)]).await[2].as_i64().unwrap_or_default();
            let steps = usize::try_from((index - now).unsigned_abs()).unwrap_or_default();
            self.press_times(if index > now { Key::Down } else { Key::Up }, steps).await;
        }
        let got = self.active().await.value;
        if got != want {
            self.problem(format!("{what}: could not choose {want:?} in #{} (got {got:?})", a.id));
        }
    }

    /// After a refusal: the summary has focus and lists `expected` among its
    /// links; each link points at a control, in page order, and following it
    /// by keyboard moves focus there. With `inline`, each message is also
    /// shown by its field.
    async fn check_refusal(&mut self, state: &str, expected: &[&str], inline: bool) {
        let name = format!("{}-{state}", self.lang.code());
        let title = self.client.title().await.unwrap_or_default();
        if self.lang == Lang::En && !title.starts_with("Error: ") {
            self.problem(format!("{name}: the title {title:?} does not start with \"Error: \""));
        }
        // autofocus acts when the page is shown; give it a moment.
        let deadline = Instant::now() + Duration::from_secs(2);
        let summary = loop {
            let s = self.js(SUMMARY_JS, vec![]).await;
            if s.is_null() || s["focused"] == true || Instant::now() > deadline {
                break s;
            }
            tokio::time::sleep(POLL).await;
        };
        if summary.is_null() {
            return self.problem(format!("{name}: no error summary"));
        }
        if summary["focused"] != true {
            let a = self.active().await;
            self.problem(format!("{name}: the error summary does not have focus ({} has)", a.describe()));
        }
        if summary["alert"] != true || summary["heading"] != true {
            self.problem(format!("{name}: the error summary lacks its role=alert container or its h2"));
        }
        if summary["ordered"] != true {
            self.problem(format!("{name}: the summary's links are not in the order of the fields on the page"));
        }
        let links: Vec<Value> = summary["links"].as_array().cloned().unwrap_or_default();
        let hrefs: Vec<&str> = links.iter().filter_map(|l| l["href"].as_str()).collect();
        for id in expected {
            if !hrefs.contains(&format!("#{id}").as_str()) {
                self.problem(format!("{name}: the error summary has no link to #{id} (it has {hrefs:?})"));
            }
        }
        for (i, link) in links.iter().enumerate() {
            let href = link["href"].as_str().unwrap_or_default();
            let text = link["text"].as_str().unwrap_or_default();
            if link["control"] != true {
                self.problem(format!("{name}: error link {href:?} ({text}) points at no form control"));
                continue;
            }
            if inline && link["inline"] != true {
                self.problem(format!("{name}: error link {text:?} has no matching message by its field"));
            }
            // Back to the summary (as on arrival), Tab to the link, Enter.
            self.js("document.querySelector('.error-summary').focus(); return true;", vec![]).await;
            self.press_times(Key::Tab, i + 1).await;
            let on = self.active().await;
            if on.href != href {
                self.problem(format!(
                    "{name}: Tab {} from the summary reaches {}, not the link {href}",
                    i + 1,
                    on.describe()
                ));
                continue;
            }
            self.press(Key::Enter).await;
            let id = href.trim_start_matches('#');
            let deadline = Instant::now() + Duration::from_secs(2);
            let mut now = self.active().await;
            while now.id != id && Instant::now() < deadline {
                tokio::time::sleep(POLL).await;
                now = self.active().await;
            }
            if now.id != id {
                self.problem(format!("{name}: following the error link {href} leaves focus on {}", now.describe()));
            }
        }
        // Start the next pass from the summary again, as a person arriving.
        self.js("document.querySelector('.error-summary').focus(); return true;", vec![]).await;
    }

    /// On the confirmation page: the case reference, and the tracking link.
    async fn confirmation(&mut self, state: &str, prefix: &str) -> (String, String) {
        let path = self.path().await;
        assert!(path.starts_with("/track/"), "{}: {state}: sent to {path}, not the tracking page", self.test);
        let panel = self.js("return document.querySelector('.panel strong')?.textContent.trim() ?? '';", vec![]).await;
        let reference = panel.as_str().unwrap_or_default().to_string();
        assert!(
            reference.starts_with(prefix),
            "{}: {state}: no {prefix} reference in the confirmation panel",
            self.test
        );
        let link = self.js("return document.getElementById('tracking-link')?.value ?? '';", vec![]).await;
        let link = url::Url::parse(link.as_str().unwrap_or_default()).expect("the tracking link is a URL");
        assert_eq!(link.path(), path, "{}: the tracking link opens this page", self.test);
        (reference, link.path().to_string())
    }
}

fn invoice_path() -> PathBuf {
    repo().join("tests/fixtures/documents/invoice_chromium.pdf")
}

// ---------------------------------------------------------------------------
// The journeys.

async fn partner_journey(b: &mut Browser, app: &TestApp, lang: Lang, kind: &str) {
    let (form, refusal, expected, valid, file, prefix): (_, Vec<(&str, String)>, &[&str], _, _, _) = match kind {
        "kpi" => (
            "/cases/kpi/new",
            vec![
                ("contact_role", "other".into()),
                ("document_type", "invoice".into()),
                ("partner_id", "12ab567".into()),
                ("company_name", "Contoso Learning".into()),
                ("contact_email", "not-an-email".into()),
                ("month", "13".into()),
                ("year", "2025".into()),
                ("purchase_unit", "2.5".into()),
                ("invoice_number", "INV-2026-0423".into()),
                ("kpi_value", "12.5".into()),
            ],
            &[
                "contact_role",
                "partner_id",
                "contact_name",
                "contact_email",
                "month",
                "purchase_unit",
                "revenue_value",
                "invoice_file",
            ],
            kpi_fields(),
            Some(invoice_path()),
            "KPI-",
        ),
        _ => (
            "/cases/directory/new",
            vec![
                ("contact_role", "account_admin".into()),
                ("partner_id", "7654321".into()),
                ("company_name", "Contoso Learning".into()),
                ("contact_name", "Ana Silva".into()),
                ("directory_name", "Contoso Learning".into()),
                ("landing_page_url", "https://www.microsoft.com/en-us/learning".into()),
                ("attest_about_partner_only", "on".into()),
            ],
            &["contact_email", "country", "landing_page_url", "attest_no_competitors", "attest_partner_owned"],
            directory_fields(),
            None,
            "DIR-",
        ),
    };
    b.begin(app, lang, "/").await;
    if kind == "kpi" {
        b.state("home").await;
    }
    b.follow_link(form).await;
    assert_eq!(b.path().await, form, "{}: the start page links to {form}", b.test);
    b.state(&format!("{kind}-form")).await;

    let cases = app.case_count().await;
    b.fill_and_send(&refusal, None, &format!("{} {kind} refusal", lang.code())).await;
    b.state(&format!("{kind}-refused")).await;
    b.check_refusal(&format!("{kind}-refused"), expected, true).await;
    assert_eq!(app.case_count().await, cases, "{}: a refusal stores nothing", b.test);

    b.fill_and_send(&valid, file.as_deref(), &format!("{} {kind} success", lang.code())).await;
    let (reference, tracking) = b.confirmation(&format!("{kind}-submitted"), prefix).await;
    b.state(&format!("{kind}-submitted")).await;
    let case = app.case(&reference).await;
    assert_eq!(case.language, lang.code(), "{}: the case keeps the language it was filed in", b.test);

    // Later visits to the link show the receipt, without the panel.
    b.open(app, &tracking).await;
    b.state(&format!("{kind}-tracking")).await;
    let h1 = b.js("return document.querySelector('h1')?.textContent ?? '';", vec![]).await;
    assert!(h1.as_str().unwrap_or_default().contains(&reference), "{}: the tracking page names {reference}", b.test);
}

#[test]
fn kpi_form_by_keyboard_in_both_languages() {
    browser_test("kpi_form_by_keyboard_in_both_languages", async |b: &mut Browser, app: &TestApp| {
        for lang in LANGS {
            partner_journey(b, app, lang, "kpi").await;
        }
    });
}

#[test]
fn directory_form_by_keyboard_in_both_languages() {
    browser_test("directory_form_by_keyboard_in_both_languages", async |b: &mut Browser, app: &TestApp| {
        for lang in LANGS {
            partner_journey(b, app, lang, "directory").await;
        }
    });
}

#[test]
fn staff_sign_in_by_keyboard_in_both_languages() {
    browser_test("staff_sign_in_by_keyboard_in_both_languages", async |b: &mut Browser, app: &TestApp| {
        let email = "agent@frontline.example";
        app.create_staff(email, "Agent Browser", "agent").await;
        for lang in LANGS {
            b.begin(app, lang, "/staff/login").await;
            b.state("staff-login").await;
            let wrong = [("email", email.to_string()), ("password", "not the password".to_string())];
            b.fill_and_send(&wrong, None, &format!("{} sign-in refusal", lang.code())).await;
            b.state("staff-login-refused").await;
            // The sign-in page says what went wrong in the summary only.
            b.check_refusal("staff-login-refused", &["email"], true).await;
            let right = [("email", email.to_string()), ("password", STAFF_PASSWORD.to_string())];
            b.fill_and_send(&right, None, &format!("{} sign-in", lang.code())).await;
            assert_eq!(b.path().await, "/staff/queue", "{}: signing in opens the queue", b.test);
            b.state("staff-queue").await;
        }
    });
}
