/*
 * taizhang 纪检台账 — the WPS 表格 add-in.
 *
 * `taizhang wps install` copies these files into WPS's own add-in folder (jsaddons/taizhang_VERSION,
 * WPS's offline mode) with install.js, which holds the service's port, its token and the key of
 * the service's proof (TZ_INSTALL).  The code WPS runs therefore never comes from the port.  Before
 * any request that carries the token, the add-in asks the port GET /wps/hello?c=NONCE with a fresh
 * random nonce and checks the answer, an HMAC-SHA256 only the service can compute (wpsaddin.py):
 * a program squatting on the port while the service is stopped learns a nonce, never the token,
 * and nothing it answers is used.  Served from the port instead (/wps/, /wps/k/TOKEN/: the code
 * then comes from the service itself), it talks to the same address and needs no proof.
 *
 * The ribbon's callbacks are the global functions below (OnAddinLoad, OnAction, GetImage,
 * OnGetEnabled, OnGetLabel).  A button saves the active workbook, sends its path to the service,
 * and shows the answer in the task pane (taskpane.html), which reads it from wps.PluginStorage.
 *
 * Plain ES5 and XMLHttpRequest: WPS's embedded browser may be older than a desktop browser's.
 */
var TZ = (function () {
  "use strict";

  var STATE_KEY = "taizhang.state";
  var PANE_KEY = "taizhang.pane";
  var SETTINGS_KEY = "taizhang.settings";
  var TOKEN_KEY = "taizhang.token";
  var SOURCES_KEY = "taizhang.sources"; // a 汇总表 written by 汇总统计 -> the ledger it was made from
  var POLL_MS = 400;
  var MAX_POLLS = 9000; // an hour of progress polls at most, then the run is waited for silently

  var BUTTONS = {
    tzCheck: { label: "检查台账", image: "check.svg", run: runCheck },
    tzSummary: { label: "汇总统计", image: "summary.svg", run: runSummary },
    tzReport: { label: "生成汇报", image: "report.svg", run: runReport },
    tzConsolidate: { label: "月度合并", image: "consolidate.svg", run: runConsolidate },
    tzSettings: { label: "设置", image: "settings.svg", run: runSettings }
  };

  var info = null; // /api/info: which commands this service has

  function base() {
    return location.href.replace(/[?#].*$/, "").replace(/[^\/]*$/, "");
  }

  /** What `taizhang wps install` wrote beside these files (install.js), or null when served. */
  function installed() {
    var t = typeof TZ_INSTALL === "object" && TZ_INSTALL ? TZ_INSTALL : null;
    return t && t.port && t.token && t.proof_key ? t : null;
  }

  /** Where requests go: the installed port, else the address these files came from. */
  function origin() {
    var t = installed();
    return t ? "http://127.0.0.1:" + t.port : "";
  }

  /* ---- SHA-256 and HMAC (FIPS 180-4, RFC 2104) over arrays of bytes: plain ES5, because WPS's
   *      embedded browser may lack crypto.subtle (and it needs a secure context) ---- */
  var SHA_K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2];

  function sha256(bytes) {
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var msg = bytes.slice(0), bits = bytes.length * 8, i, j;
    msg.push(0x80);
    while (msg.length % 64 !== 56) msg.push(0);
    for (i = 7; i >= 0; i--) msg.push(i >= 4 ? 0 : (bits >>> (i * 8)) & 0xff); // lengths below 2^32 bits
    var w = new Array(64);
    for (i = 0; i < msg.length; i += 64) {
      for (j = 0; j < 16; j++) {
        w[j] = (msg[i + 4 * j] << 24) | (msg[i + 4 * j + 1] << 16) | (msg[i + 4 * j + 2] << 8) | msg[i + 4 * j + 3];
      }
      for (j = 16; j < 64; j++) {
        var x = w[j - 15], y = w[j - 2];
        var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[j] = (w[j - 16] + s0 + w[j - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (j = 0; j < 64; j++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var t1 = (k + S1 + ((e & f) ^ (~e & g)) + SHA_K[j] + w[j]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
    }
    var out = [];
    for (i = 0; i < 8; i++) out.push((h[i] >>> 24) & 0xff, (h[i] >>> 16) & 0xff, (h[i] >>> 8) & 0xff, h[i] & 0xff);
    return out;
  }

  function hmacSha256(key, message) {
    if (key.length > 64) key = sha256(key);
    var inner = [], outer = [], i;
    for (i = 0; i < 64; i++) {
      var b = i < key.length ? key[i] : 0;
      inner.push(b ^ 0x36);
      outer.push(b ^ 0x5c);
    }
    return sha256(outer.concat(sha256(inner.concat(message))));
  }

  function utf8(text) {
    var raw = unescape(encodeURIComponent(String(text))), out = [];
    for (var i = 0; i < raw.length; i++) out.push(raw.charCodeAt(i));
    return out;
  }

  function toHex(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return s;
  }

  function fromHex(text) {
    var out = [];
    for (var i = 0; i + 1 < text.length; i += 2) out.push(parseInt(text.substr(i, 2), 16));
    return out;
  }

  /** 128 random bits in hex from the browser's generator; null if it has none (then nothing is sent). */
  function nonce() {
    var c = window.crypto || window.msCrypto;
    if (!c || !c.getRandomValues || typeof Uint8Array === "undefined") return null;
    var a = new Uint8Array(16);
    c.getRandomValues(a);
    var bytes = [];
    for (var i = 0; i < a.length; i++) bytes.push(a[i]);
    return toHex(bytes);
  }

  function sameText(a, b) { // compares every character: the time taken says nothing about where they differ
    if (typeof a !== "string" || typeof b !== "string" || a.length !== b.length) return false;
    var diff = 0;
    for (var i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
    return diff === 0;
  }

  /** The proof the service gives for `c` on the installed port (wpsaddin.proof). */
  function expectedProof(t, c) {
    return toHex(hmacSha256(fromHex(t.proof_key), utf8("taizhang-wps-proof|" + t.port + "|" + c)));
  }

  /** Ask the port to prove it is the service: onDone(true), or 0 (nobody answered), or -1 (the
   *  answer is not the service's). Nothing but the nonce is sent; nothing of the answer is used. */
  function prove(onDone) {
    var t = installed(), c = nonce(), settled = false;
    if (!c) { onDone(-1); return; }
    var xhr = new XMLHttpRequest();
    function settle(result) { if (!settled) { settled = true; onDone(result); } }
    xhr.open("GET", origin() + "/wps/hello?c=" + c, true);
    try { xhr.timeout = 10000; } catch (e) { /* an old engine: no timeout */ }
    xhr.ontimeout = function () { settle(0); };
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) return;
      if (xhr.status === 0) return settle(0);
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      settle(xhr.status === 200 && data && sameText(data.proof, expectedProof(t, c)) ? true : -1);
    };
    xhr.send(null);
  }

  /** The token: install.js's, else a path segment of the address (/wps/k/TOKEN/), else 设置's. */
  function token() {
    var t = installed();
    if (t) return t.token;
    var m = location.pathname.match(/\/wps\/k\/([^\/]+)\//);
    if (m) return decodeURIComponent(m[1]);
    try { return localStorage.getItem(TOKEN_KEY) || ""; } catch (e) { return ""; }
  }

  function saveToken(text) {
    var m = String(text || "").match(/#token=([A-Za-z0-9_\-]+)/);
    var value = m ? m[1] : String(text || "").replace(/\s+/g, "");
    localStorage.setItem(TOKEN_KEY, value);
    return value;
  }

  function settings() {
    var s = {};
    try { s = JSON.parse(localStorage.getItem(SETTINGS_KEY) || "{}") || {}; } catch (e) { s = {}; }
    return s;
  }

  function saveSettings(s) {
    localStorage.setItem(SETTINGS_KEY, JSON.stringify(s));
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /** The period to count (a month, 2026Q3, 2026年上半年 …): 设置's, else the month of the as-of date, else null: the service then takes
   *  the month the ledgers hold (their latest dated rows) and says so (period_note). */
  function period(s) {
    if (s.period) return s.period;
    if (s.as_of && /^\d{4}-\d{2}-\d{2}$/.test(s.as_of)) return s.as_of.slice(0, 7);
    return null;
  }

  /** A period as the product names it in file names (2026-10 -> 2026年10月, 2026Q3 -> 2026年第三季度,
   *  as Period.label; the Excel ribbon's 生成汇报 names its document the same way): render.js's,
   *  which the task pane and the plain page share, loaded before this file. */
  function periodLabel(p) { return TZRender.periodLabel(p); }

  function app() { return wps.EtApplication(); }

  function setState(state) {
    state.at = new Date().getTime();
    wps.PluginStorage.setItem(STATE_KEY, JSON.stringify(state));
  }

  function getState() {
    try { return JSON.parse(wps.PluginStorage.getItem(STATE_KEY) || "null"); } catch (e) { return null; }
  }

  function showPane() {
    var id = wps.PluginStorage.getItem(PANE_KEY);
    var pane = id ? wps.GetTaskPane(id) : null;
    if (!pane) {
      pane = wps.CreateTaskPane(base() + "taskpane.html");
      wps.PluginStorage.setItem(PANE_KEY, pane.ID);
      try { pane.DockPosition = wps.Enum ? wps.Enum.msoCTPDockPositionRight : 2; } catch (e) { /* keep WPS's */ }
      try { pane.Width = 420; } catch (e) { /* keep WPS's */ }
    }
    pane.Visible = true;
    return pane;
  }

  function fail(command, title, message) {
    setState({ phase: "error", command: command, title: title, error: message });
    showPane();
  }

  /** A request to the service.  Installed, each one is preceded by the port's proof, and the
   *  token goes out only after the proof holds; status 0: nobody answered, -1: not the service. */
  function request(method, path, body, onDone, job) {
    if (!installed()) {
      send(method, path, body, onDone, job);
      return;
    }
    prove(function (result) {
      if (result === true) send(method, path, body, onDone, job);
      else onDone(result, null, null);
    });
  }

  function send(method, path, body, onDone, job) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, origin() + path, true);
    xhr.setRequestHeader("Authorization", "Bearer " + token());
    if (body !== null) xhr.setRequestHeader("Content-Type", "application/json");
    if (job) xhr.setRequestHeader("X-Taizhang-Job", job);
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) return;
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      onDone(xhr.status, data, xhr);
    };
    xhr.send(body === null ? null : JSON.stringify(body));
  }

  function errorText(status, data) {
    var t = installed();
    if (status === 0) return "无法连接本机服务：请先运行 taizhang serve（或重新执行 taizhang wps install）";
    if (status === -1) {
      return "端口 " + (t ? t.port : "") + " 上应答的程序不是 taizhang 本机服务（未通过校验），" +
             "没有向它发送令牌或任何数据。请确认没有其他程序占用该端口，再运行 taizhang serve" +
             "（刚用 --new-token 换过令牌的，请重新执行 taizhang wps install）。";
    }
    if (status === 401) {
      return t ? "访问令牌已更换：请重新执行 taizhang wps install，再重新打开 WPS"
               : "访问令牌不正确：请在“设置”中粘贴 taizhang serve 输出的第一行地址";
    }
    if (data && data.error) return data.error;
    return "本机服务出错（HTTP " + status + "）";
  }

  /** POST /api/COMMAND with a job id, showing progress in the pane until the answer comes. */
  function run(command, title, options, onResult) {
    var job = "wps" + new Date().getTime() + Math.floor(Math.random() * 1e6);
    var finished = false;
    var polls = 0;
    setState({ phase: "running", command: command, title: title, progress: null });
    showPane();
    function poll() {
      if (finished || polls++ >= MAX_POLLS) return;
      request("GET", "/api/progress/" + job, null, function (status, data) {
        if (finished) return;
        if (status === 200 && data) setState({ phase: "running", command: command, title: title, progress: data });
        setTimeout(poll, POLL_MS);
      });
    }
    setTimeout(poll, POLL_MS);
    request("POST", "/api/" + command, options, function (status, data, xhr) {
      finished = true;
      if (status !== 200 || !data) {
        onResult(null, errorText(status, data));
        return;
      }
      onResult(data, null, parseInt(xhr.getResponseHeader("X-Taizhang-Exit") || "0", 10));
    }, job);
  }

  function separator(path) { return path.indexOf("\\") >= 0 ? "\\" : "/"; }

  function folderOf(path) {
    var i = Math.max(path.lastIndexOf("\\"), path.lastIndexOf("/"));
    return i >= 0 ? path.slice(0, i) : "";
  }

  function stemOf(path) {
    var name = path.slice(Math.max(path.lastIndexOf("\\"), path.lastIndexOf("/")) + 1);
    var dot = name.lastIndexOf(".");
    return dot > 0 ? name.slice(0, dot) : name;
  }

  function beside(path, suffix) {
    return folderOf(path) + separator(path) + stemOf(path) + suffix;
  }

  /** The active workbook, saved; null (and a message) when there is none or it was never saved. */
  function savedActiveWorkbook(command, title) {
    var wb = app().ActiveWorkbook;
    if (!wb) {
      fail(command, title, "请先打开台账工作簿，再点此按钮");
      return null;
    }
    if (!wb.Path) {
      fail(command, title, "这个工作簿还没有保存过：请先“另存为”到电脑上的文件夹，再点此按钮");
      return null;
    }
    try {
      wb.Save();
    } catch (e) {
      fail(command, title, "无法保存工作簿：" + (e && e.message ? e.message : e));
      return null;
    }
    return wb;
  }

  function sameFile(a, b) {
    return String(a).replace(/\\/g, "/").toLowerCase() === String(b).replace(/\\/g, "/").toLowerCase();
  }

  /** An open workbook by its full name (null if not open). */
  function openBook(fullName) {
    var books = app().Workbooks;
    for (var i = 1; i <= books.Count; i++) {
      var wb = books.Item(i);
      if (sameFile(wb.FullName, fullName)) return wb;
    }
    return null;
  }

  function closeIfOpen(fullName) {
    var wb = openBook(fullName);
    if (wb) wb.Close(false);
  }

  function reopen(fullName) {
    try {
      app().Workbooks.Open(fullName);
      return null;
    } catch (e) {
      return "已写入，但 WPS 未能打开：" + fullName;
    }
  }

  function sources() {
    try { return JSON.parse(wps.PluginStorage.getItem(SOURCES_KEY) || "{}") || {}; } catch (e) { return {}; }
  }

  /** The ledger a button works on: the active workbook's path, or, when the active workbook is
   *  a 汇总表 that 汇总统计 wrote and opened, the ledger it was made from. */
  function ledgerOf(wb) {
    var known = sources();
    for (var output in known) {
      if (Object.prototype.hasOwnProperty.call(known, output) && sameFile(output, wb.FullName)) return known[output];
    }
    return wb.FullName;
  }

  function runCheck() {
    var title = "检查台账";
    var wb = savedActiveWorkbook("check", title);
    if (!wb) return;
    var s = settings();
    var book = ledgerOf(wb);
    run("check", title, { paths: [book], as_of: s.as_of || null }, function (data, error, exit) {
      if (error) return fail("check", title, error);
      setState({ phase: "done", command: "check", title: title, book: book, result: data, exit: exit });
    });
  }

  function runSummary() {
    var title = "汇总统计";
    var wb = savedActiveWorkbook("summary", title);
    if (!wb) return;
    var s = settings();
    var book = ledgerOf(wb);
    var p = period(s);
    var output = beside(book, "_" + periodLabel(p) + "汇总表.xlsx");
    closeIfOpen(output); // WPS keeps an open file locked on Windows: it is reopened afterwards
    run("summary", title, { paths: [book], as_of: s.as_of || null, period: p, bureau: s.bureau || null,
                            output: output, compare: s.compare || undefined }, function (data, error, exit) {
      if (error) return fail("summary", title, error);
      var known = sources();
      known[output] = book;
      wps.PluginStorage.setItem(SOURCES_KEY, JSON.stringify(known));
      var note = reopen(output);
      setState({ phase: "done", command: "summary", title: title, book: book, result: data, exit: exit,
                 opened: note ? null : output, note: note });
    });
  }

  function runReport() {
    var title = "生成汇报";
    if (info && info.commands && info.commands.report === false) {
      return fail("report", title, "“生成汇报”在本机服务的这个版本中尚未提供。汇报段落已写在“汇总统计”生成的汇总表上，可先从那里复制。");
    }
    var wb = savedActiveWorkbook("report", title);
    if (!wb) return;
    var s = settings();
    var book = ledgerOf(wb);
    var p = period(s);
    var output = beside(book, "_" + periodLabel(p) + "情况汇报.docx");
    run("report", title, { paths: [book], as_of: s.as_of || null, period: p, bureau: s.bureau || null,
                           output: output, compare: s.compare || undefined }, function (data, error, exit) {
      if (error) return fail("report", title, error);
      setState({ phase: "done", command: "report", title: title, book: book, result: data, exit: exit,
                 output: (data && data.output) || output });
    });
  }

  function pickFolder() {
    try {
      var a = app();
      var kind = a.Enum && a.Enum.msoFileDialogFolderPicker ? a.Enum.msoFileDialogFolderPicker : 4;
      var dialog = a.FileDialog(kind);
      dialog.Title = "选择各单位报送台账所在的文件夹";
      if (dialog.Show() === -1) return String(dialog.SelectedItems.Item(1));
    } catch (e) { /* no folder dialog in this WPS: 设置 asks for the folder */ }
    return "";
  }

  function runConsolidate() {
    var title = "月度合并";
    var s = settings();
    var wb = app().ActiveWorkbook;
    if (!wb || !wb.Path) {
      return fail("consolidate", title, "请先打开（或另存为）局主表工作簿：各单位的台账将合并到当前工作簿");
    }
    var folder = s.folder || pickFolder();
    if (!folder) {
      setState({ phase: "settings", command: "settings", title: "设置",
                 error: "请先填写“各单位台账所在文件夹”，再点“月度合并”" });
      showPane();
      return;
    }
    wb = savedActiveWorkbook("consolidate", title);
    if (!wb) return;
    var master = wb.FullName;
    var d = new Date();
    var p = period(s) || d.getFullYear() + "-" + pad(d.getMonth() + 1);  // a consolidation names its month
    wb.Close(false); // the service replaces the file: WPS reopens it afterwards
    run("consolidate", title, { folder: folder, period: p, master: master, roster: s.roster || null,
                                bureau: s.bureau || null, compare: s.compare || undefined }, function (data, error, exit) {
      var note = reopen(master);
      if (error) return fail("consolidate", title, error);
      setState({ phase: "done", command: "consolidate", title: title, book: master, result: data,
                 exit: exit, opened: note ? null : master, note: note });
    });
  }

  function runSettings() {
    setState({ phase: "settings", command: "settings", title: "设置" });
    showPane();
  }

  /** Select a finding's cell: the workbook, then the sheet, then the cell. */
  function selectCell(book, sheet, cell) {
    var wb = openBook(book) || app().ActiveWorkbook;
    if (!wb) return "工作簿已关闭：" + book;
    try {
      wb.Activate();
      var ws = wb.Worksheets.Item(sheet);
      ws.Activate();
      ws.Range(cell).Select();
      return null;
    } catch (e) {
      return "无法选中 " + sheet + "!" + cell;
    }
  }

  function loadInfo(ribbonUI) {
    request("GET", "/api/info", null, function (status, data) {
      if (status === 200 && data) {
        info = data;
        if (ribbonUI && ribbonUI.InvalidateControl) ribbonUI.InvalidateControl("tzReport");
      }
    });
  }

  return {
    BUTTONS: BUTTONS, base: base, token: token, installed: installed, prove: prove,
    hmacSha256: function (keyHex, text) { return toHex(hmacSha256(fromHex(keyHex), utf8(text))); }, saveToken: saveToken, settings: settings,
    saveSettings: saveSettings, period: period, periodLabel: periodLabel, getState: getState, setState: setState,
    selectCell: selectCell, pickFolder: pickFolder, loadInfo: loadInfo, showPane: showPane,
    info: function () { return info; }, STATE_KEY: STATE_KEY
  };
})();

/* ---- the ribbon's callbacks (named in ribbon.xml) ---- */

function OnAddinLoad(ribbonUI) {
  if (typeof wps.ribbonUI !== "object") wps.ribbonUI = ribbonUI;
  TZ.loadInfo(ribbonUI);
  return true;
}

function OnAction(control) {
  var button = TZ.BUTTONS[control.Id];
  if (!button) return false;
  button.run();
  return true;
}

function GetImage(control) {
  var button = TZ.BUTTONS[control.Id];
  return button ? button.image : "";
}

function OnGetEnabled(control) {
  return !!TZ.BUTTONS[control.Id];
}

function OnGetLabel(control) {
  var button = TZ.BUTTONS[control.Id];
  if (!button) return "";
  var info = TZ.info();
  if (control.Id === "tzReport" && info && info.commands && info.commands.report === false) {
    return button.label + "（暂未提供）";
  }
  return button.label;
}
