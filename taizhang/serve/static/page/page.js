/*
 * The plain page of taizhang serve: choose a month folder or files, run a command, see the
 * findings with sheet and cell, download the 汇总表, the report and the master.  The chosen
 * files are uploaded to the service's own folder for this session (a browser gives a page
 * files, never their paths); the token comes from the address's #token=….
 */
(function () {
  "use strict";
  var R = TZRender;
  var TOKEN_KEY = "taizhang.token";
  var POLL_MS = 300, MAX_POLLS = 12000;
  var info = null, job = null, uploaded = null, busy = false;

  function $(id) { return document.getElementById(id); }

  function token() {
    var m = location.hash.match(/token=([A-Za-z0-9_\-]+)/);
    if (m) {
      sessionStorage.setItem(TOKEN_KEY, m[1]);
      history.replaceState(null, "", location.pathname); // the token leaves the address bar
    }
    return sessionStorage.getItem(TOKEN_KEY) || "";
  }

  function notice(text) {
    $("notice").hidden = !text;
    $("notice").textContent = text || "";
  }

  function call(method, url, body, headers) {
    var h = { "Authorization": "Bearer " + token() };
    for (var k in headers || {}) h[k] = headers[k];
    return fetch(url, { method: method, headers: h, body: body }).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        try { data = JSON.parse(text); } catch (e) { data = null; }
        if (!res.ok) {
          var msg = data && data.error ? data.error : "本机服务出错（HTTP " + res.status + "）";
          if (res.status === 401) msg = "访问令牌不正确：请用 taizhang serve 输出的第一行地址打开本页";
          throw new Error(msg);
        }
        return { data: data, exit: parseInt(res.headers.get("X-Taizhang-Exit") || "0", 10) };
      });
    });
  }

  // what a month folder may hold besides workbooks (Word files, scans, Office's ~$ lock files) is
  // not sent; files that only look like workbooks (.csv, .numbers) are, so that check names them
  var WORKBOOK = /\.(xlsx|xlsm|xls|xlsb|ods|et|csv|numbers)$/i;

  /** Why a chosen file is not sent, or null when it is: the page says so (issue 28) rather
   *  than leave the count of files checked to disagree with the count chosen. */
  function leftOutBecause(file) {
    if (/^~\$/.test(file.name)) return "Office 打开文件时留下的临时文件";
    if (/^\./.test(file.name)) return "隐藏文件";
    if (!WORKBOOK.test(file.name)) return "不是 Excel 工作簿（只检查 .xlsx、.xlsm、.xls、.xlsb、.ods、.et）";
    return null;
  }

  function chosen() {
    var out = { files: [], left: [] };
    [$("files").files, $("folder").files].forEach(function (picked) {
      for (var i = 0; i < picked.length; i++) {
        var why = leftOutBecause(picked[i]);
        if (why) out.left.push({ file: picked[i], why: why });
        else out.files.push(picked[i]);
      }
    });
    return out;
  }

  function chosenFiles() { return chosen().files; }

  function showChosen() {
    var picked = chosen(), files = picked.files;
    uploaded = null;
    job = "page" + Date.now() + Math.floor(Math.random() * 1e6);
    var text = files.length ? "已选择 " + files.length + " 个文件" : "尚未选择台账工作簿。";
    if (picked.left.length) text += "；另有 " + picked.left.length + " 个文件未选入，不会检查（见下）";
    $("chosen").textContent = text;
    var ul = $("chosen-list");
    ul.innerHTML = "";
    for (var i = 0; i < files.length; i++) ul.appendChild(R.el("li", null, files[i].webkitRelativePath || files[i].name));
    for (var k = 0; k < picked.left.length; k++) {
      var f = picked.left[k];
      ul.appendChild(R.el("li", "left-out", "未选入：" + (f.file.webkitRelativePath || f.file.name) + "（" + f.why + "）"));
    }
    var merge = [];
    if ($("roster").files.length) merge.push("单位名册：" + $("roster").files[0].name);
    if ($("master").files.length) merge.push("局主表：" + $("master").files[0].name);
    $("merge-chosen").textContent = merge.length ? merge.join("；") : "合并需要单位名册（或含“单位名册”表的局主表）。";
  }

  function upload(file, part) {
    var url = "/api/upload?job=" + encodeURIComponent(job) + "&part=" + part + "&name=" + encodeURIComponent(file.name);
    return call("PUT", url, file).then(function (r) { return r.data; });
  }

  /** Upload the chosen files once per choice; resolves to {folder, roster, master}. */
  function ensureUploaded(progress) {
    if (uploaded) return Promise.resolve(uploaded);
    var files = chosenFiles();
    if (!files.length) return Promise.reject(new Error("请先选择台账文件或文件夹"));
    var out = { folder: null, roster: null, master: null };
    var chain = Promise.resolve();
    files.forEach(function (file, i) {
      chain = chain.then(function () {
        progress("正在上传 " + (i + 1) + " / " + files.length + "：" + file.name);
        return upload(file, "input").then(function (r) { out.folder = r.folder; });
      });
    });
    if ($("roster").files.length) chain = chain.then(function () {
      return upload($("roster").files[0], "roster").then(function (r) { out.roster = r.path; });
    });
    if ($("master").files.length) chain = chain.then(function () {
      return upload($("master").files[0], "master").then(function (r) { out.master = r.path; });
    });
    return chain.then(function () { uploaded = out; return out; });
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /** The period asked for (a month, 2026Q3, 2026年上半年 …: the service reads it and says what
   *  it takes), or null: with neither a period nor an as-of date the service takes the month the
   *  ledgers hold (their latest dated rows) and says so (period_note). */
  function period() {
    if ($("period").value.trim()) return $("period").value.trim();
    if ($("as_of").value) return $("as_of").value.slice(0, 7);
    return null;
  }

  function thisMonth() {
    var d = new Date();
    return d.getFullYear() + "-" + pad(d.getMonth() + 1);
  }

  function label(p) {  // 2026-10 -> 2026年10月, 2026Q3 -> 2026年第三季度, as the product names files (Period.label)
    return R.periodLabel(p);
  }

  function inJob(name) { return info.workdir + info.sep + job + info.sep + name; }

  /** ``value`` with every path inside the service's own folder shown by its file name: the
   *  folder is the service's temporary copy, which means nothing to the clerk (issue 28). */
  function namesOnly(value) {
    if (typeof value === "string") {
      if (!info || !info.workdir) return value;
      var root = info.workdir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      return value.replace(new RegExp(root + "(?:[\\\\/][^\\\\/\\s\"“”‘’，；。：]+)*[\\\\/]([^\\\\/\\s\"“”‘’，；。：]+)", "g"), "$1");
    }
    if (Array.isArray(value)) return value.map(namesOnly);
    if (value && typeof value === "object") {
      var out = {};
      for (var k in value) out[k] = namesOnly(value[k]);
      return out;
    }
    return value;
  }

  function options(command, up) {
    var asOf = $("as_of").value || null, bureau = $("bureau").value.trim() || null;
    if (command === "check") return { paths: [up.folder], as_of: asOf };
    // compare only when ticked (left out otherwise: the request as it always was)
    var compare = $("compare").checked || undefined;
    if (command === "summary") return { paths: [up.folder], as_of: asOf, period: $("period").value.trim() || null,
                                        bureau: bureau, output: inJob((period() ? label(period()) : "") + "汇总表.xlsx"),
                                        compare: compare };
    if (command === "report") return { paths: [up.folder], as_of: asOf, period: $("period").value.trim() || null,
                                       bureau: bureau, output: inJob((period() ? label(period()) : "") + "情况汇报.docx"),
                                       compare: compare };
    if (!up.roster && !up.master) throw new Error("月度合并需要单位名册：请在“三、月度合并”中选择单位名册或上月的局主表");
    return { folder: up.folder, period: period() || thisMonth(), master: up.master || inJob("局主表.xlsx"), compare: compare,
             roster: up.roster, bureau: bureau };
  }

  var TITLES = { check: "检查台账", summary: "汇总统计", report: "生成汇报", consolidate: "月度合并" };

  function showProgress(title, p) {
    var box = $("progress");
    box.innerHTML = "";
    if (title) box.appendChild(R.progressView(title, p));
  }

  function download(path) {
    return fetch("/api/file?path=" + encodeURIComponent(path), { headers: { "Authorization": "Bearer " + token() } })
      .then(function (res) {
        if (!res.ok) throw new Error("下载失败（HTTP " + res.status + "）");
        return res.blob();
      }).then(function (blob) {
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = R.fileName(path);
        document.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 10000);
      });
  }

  function offerDownload(label, path) {
    var b = R.el("button", "download", label + "：" + R.fileName(path));
    b.setAttribute("data-path", path);
    b.onclick = function () { download(path).catch(function (e) { notice(e.message); }); };
    $("downloads").appendChild(b);
  }

  function runCommand(command) {
    if (busy) return;
    busy = true;
    notice("");
    var buttons = document.querySelectorAll(".actions button");
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
    var title = TITLES[command], finished = false, polls = 0;
    $("result").innerHTML = "";
    $("downloads").innerHTML = "";
    function poll() {
      if (finished || polls++ >= MAX_POLLS) return;
      call("GET", "/api/progress/" + job).then(function (r) {
        if (!finished) showProgress(title, namesOnly(r.data));
      }).catch(function () { /* not started yet */ }).then(function () {
        if (!finished) setTimeout(poll, POLL_MS);
      });
    }
    ensureUploaded(function (text) { showProgress(text, null); }).then(function (up) {
      var opts = options(command, up);
      showProgress(title, null);
      setTimeout(poll, POLL_MS);
      return call("POST", "/api/" + command, JSON.stringify(opts),
                  { "Content-Type": "application/json", "X-Taizhang-Job": job });
    }).then(function (r) {
      finished = true;
      showProgress(null);
      var data = r.data;
      if (command === "summary" && data.output) offerDownload("下载汇总表", data.output);
      if (command === "report" && data.output) offerDownload("下载情况汇报", data.output);
      if (command === "consolidate" && data.master) offerDownload("下载局主表", data.master);
      $("result").appendChild(R.view(command, namesOnly(data)));
      $("result").setAttribute("data-done", command);
    }).catch(function (e) {
      finished = true;
      showProgress(null);
      notice(namesOnly(e.message));
      $("result").setAttribute("data-done", "error");
    }).then(function () {
      busy = false;
      for (var i = 0; i < buttons.length; i++) buttons[i].disabled = false;
      applyInfo();
    });
  }

  function applyInfo() {
    if (info && info.commands && info.commands.report === false) {
      $("btn-report").disabled = true;
      $("btn-report").textContent = "生成汇报（暂未提供）";
      $("report-note").hidden = false;
      $("report-note").textContent = "“生成汇报”在本机服务的这个版本中尚未提供；汇报段落已写在汇总表上。";
    }
  }

  window.addEventListener("DOMContentLoaded", function () {
    ["files", "folder", "roster", "master"].forEach(function (id) { $(id).addEventListener("change", showChosen); });
    var buttons = document.querySelectorAll(".actions button");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", (function (cmd) { return function () { runCommand(cmd); }; })(buttons[i].getAttribute("data-command")));
    }
    showChosen();
    if (!token()) {
      notice("请用 taizhang serve 输出的第一行地址（含 #token=…）打开本页。");
      return;
    }
    call("GET", "/api/info").then(function (r) { info = r.data; applyInfo(); document.body.setAttribute("data-ready", "1"); })
      .catch(function (e) { notice(e.message); });
  });
})();
