/*
 * taizhang 纪检台账 — the WPS 表格 add-in.
 *
 * WPS loads ribbon.xml and index.html (which loads this file) from the address in publish.xml,
 * the local service `taizhang serve`.  The ribbon's callbacks are the global functions below
 * (OnAddinLoad, OnAction, GetImage, OnGetEnabled, OnGetLabel).  A button saves the active
 * workbook, sends its path to the service, and shows the answer in the task pane
 * (taskpane.html), which reads it from wps.PluginStorage.
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

  /** The token: a path segment of the installed address (/wps/k/TOKEN/), else the one saved in 设置. */
  function token() {
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

  /** The month to count: 设置's, else that of the as-of date, else null: the service then takes
   *  the month the ledgers hold (their latest dated rows) and says so (period_note). */
  function period(s) {
    if (s.period) return s.period;
    if (s.as_of && /^\d{4}-\d{2}-\d{2}$/.test(s.as_of)) return s.as_of.slice(0, 7);
    return null;
  }

  /** A period as the product names it in file names: 2026-10 -> 2026年10月, 2026 -> 2026年, all -> 全部
   *  (Period.label; the Excel ribbon's 生成汇报 names its document the same way). */
  function periodLabel(p) {
    if (!p) return "";
    var m = /^(\d{4})-(\d{2})$/.exec(p);
    if (m) return m[1] + "年" + parseInt(m[2], 10) + "月";
    if (/^\d{4}$/.test(p)) return p + "年";
    return p === "all" ? "全部" : p;
  }

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

  function request(method, path, body, onDone, job) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, path, true);
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
    if (status === 0) return "无法连接本机服务：请先运行 taizhang serve（或重新执行 taizhang wps install）";
    if (status === 401) return "访问令牌不正确：请在“设置”中粘贴 taizhang serve 输出的第一行地址";
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
                            output: output }, function (data, error, exit) {
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
                           output: output }, function (data, error, exit) {
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
                                bureau: s.bureau || null }, function (data, error, exit) {
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
    BUTTONS: BUTTONS, base: base, token: token, saveToken: saveToken, settings: settings,
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
