/*
 * taizhang 纪检台账 — how an answer of the local service is shown, shared by the WPS task pane
 * and the plain page (which loads it from /wps/render.js).  Text is set with textContent only:
 * sheet names and cell values are data, never markup.
 */
var TZRender = (function () {
  "use strict";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function add(parent) {
    for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
    return parent;
  }

  function fileName(path) {
    return String(path || "").slice(Math.max(String(path).lastIndexOf("\\"), String(path).lastIndexOf("/")) + 1);
  }

  function table(headers, rows, cls) {
    var t = el("table", cls || "grid");
    var head = el("tr");
    for (var i = 0; i < headers.length; i++) add(head, el("th", null, headers[i]));
    add(t, add(el("thead"), head));
    var body = el("tbody");
    for (var r = 0; r < rows.length; r++) {
      var tr = el("tr");
      for (var c = 0; c < rows[r].length; c++) {
        var v = rows[r][c];
        add(tr, (v && v.nodeType) ? add(el("td"), v) : el("td", typeof v === "number" || /^-?[\d,]+(\.\d+)?$/.test(String(v)) ? "num" : null, v));
      }
      add(body, tr);
    }
    return add(t, body);
  }

  var KIND = { rectification: "整改台账", complaints: "信访举报台账", refunds: "退费台账",
               sanctions: "处分台账", activities: "工作开展台账" };

  /** taizhang check --json: a block per file; a finding with a cell calls onCell(finding, file). */
  function checkView(data, onCell) {
    var root = el("div", "result check");
    var s = data.summary || {};
    add(root, el("p", "lead", "共检查 " + s.files + " 个文件：错误 " + s.errors + " 个，提醒 " + s.warnings + " 个" +
                 (s.unreadable ? "，无法读取 " + s.unreadable + " 个" : "")));
    var files = data.files || [];
    for (var i = 0; i < files.length; i++) {
      var f = files[i];
      var box = add(el("section", "file"), el("h3", null, fileName(f.path) + (f.reporting_unit ? "（" + f.reporting_unit + "）" : "")));
      if (!f.readable) {
        add(box, el("p", "bad", "无法读取：" + f.reason));
        add(root, box);
        continue;
      }
      var kinds = [];
      for (var k = 0; k < f.ledgers.length; k++) {
        var lg = f.ledgers[k];
        var label = KIND[lg.kind] || lg.kind;
        kinds.push(label + (lg.sheet === label ? "" : "（工作表“" + lg.sheet + "”）") + " " + lg.rows + " 行" +
                   (lg.hidden ? "（隐藏）" : ""));
      }
      add(box, el("p", "ledgers", kinds.length ? kinds.join("；") : "没有找到台账"));
      if (!f.findings.length) {
        add(box, el("p", "ok", "✓ 未发现问题"));
      } else {
        var list = el("ul", "findings");
        for (var j = 0; j < f.findings.length; j++) {
          (function (finding, file) {
            var item = el("li", "finding " + (finding.severity === "error" ? "error" : "warning"));
            var where = (finding.sheet || "整个工作簿") + (finding.cell ? "!" + finding.cell : (finding.row ? " 第" + finding.row + "行" : ""));
            add(item, el("span", "level", finding.severity === "error" ? "错误" : "提醒"),
                el("span", "where", where),
                finding.column ? el("span", "column", finding.column) : null,
                el("span", "message", finding.message));
            if (finding.cell && finding.sheet && onCell) {
              item.className += " clickable";
              item.setAttribute("title", "点击选中 " + where);
              item.setAttribute("data-sheet", finding.sheet);
              item.setAttribute("data-cell", finding.cell);
              item.onclick = function () { onCell(finding, file); };
            }
            add(list, item);
          })(f.findings[j], f);
        }
        add(box, list);
      }
      add(root, box);
    }
    return root;
  }

  /** A period key as Period.label writes it: 2026-10 -> 2026年10月, 2026Q3 -> 2026年第三季度,
   *  2026H1 -> 2026年上半年, 2026-03..2026-08 -> 2026年3月至8月, 2026 -> 2026年, all -> 全部;
   *  anything else as it is, without the characters a file name cannot hold. */
  function periodLabel(p) {
    p = String(p || "").replace(/\s+/g, "");
    var m = /^(\d{4})-(\d{2})$/.exec(p);
    if (m) return m[1] + "年" + parseInt(m[2], 10) + "月";
    m = /^(\d{4})[Qq]([1-4])$/.exec(p);
    if (m) return m[1] + "年第" + "一二三四".charAt(m[2] - 1) + "季度";
    m = /^(\d{4})[Hh]([12])$/.exec(p);
    if (m) return m[1] + "年" + (m[2] === "1" ? "上" : "下") + "半年";
    m = /^(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})$/.exec(p);
    if (m) return m[1] + "年" + parseInt(m[2], 10) + "月至" + (m[3] === m[1] ? "" : m[3] + "年") + parseInt(m[4], 10) + "月";
    if (/^\d{4}$/.test(p)) return p + "年";
    return p === "all" ? "全部" : p.replace(/[\\\/:*?"<>|]/g, "-");
  }

  /** The head of the period's column beside 累计 (Period.heading): 本月, 本季度, 本半年, 本期. */
  function periodHeading(p) {
    p = String(p || "");
    if (/^\d{4}[Qq][1-4]$/.test(p)) return "本季度";
    if (/^\d{4}[Hh][12]$/.test(p)) return "本半年";
    if (/\.\./.test(p)) return "本期";
    return "本月";
  }

  function money(text) {
    var n = Number(text);
    if (isNaN(n)) return String(text);
    var parts = n.toFixed(2).split(".");
    return parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + parts[1];
  }

  /** taizhang summary --json: the key figures of the month and the year to date, the paragraph. */
  function summaryView(data) {
    var root = el("div", "result summary");
    var cur = data, ytd = data.year_to_date;
    function row(label, get) {
      var r = [label, get(cur)];
      if (ytd) r.push(get(ytd));
      return r;
    }
    // every source, then those of no known source: the breakdown adds up to the total shown
    var sources = [];
    function addSources(d) {
      for (var k in (d && d.complaints.by_source) || {}) if (sources.indexOf(k) < 0) sources.push(k);
    }
    addSources(cur);
    addSources(ytd);
    var rows = [row("信访举报（件）", function (d) { return d.complaints.total; })];
    for (var i = 0; i < sources.length; i++) {
      rows.push(row("  其中" + sources[i], (function (k) {
        return function (d) { return d.complaints.by_source[k] || 0; };
      })(sources[i])));
    }
    if (cur.complaints.unknown_source || (ytd && ytd.complaints.unknown_source)) {
      rows.push(row("  来源不明", function (d) { return d.complaints.unknown_source || 0; }));
    }
    rows = rows.concat([
      row("  已办结", function (d) { return d.complaints.closed; }),
      row("退费（件）", function (d) { return d.refunds.cases; }),
      row("  已退金额（元）", function (d) { return money(d.refunds.refunded); }),
      row("处分（人）", function (d) { return d.sanctions.persons; }),
      row("整改问题（个）", function (d) { return d.rectification.total; }),
      row("  逾期未完成", function (d) { return d.rectification.overdue; })
    ]);
    function activityTotal(d, field) {
      var n = 0, cats = (d && d.activities && d.activities.by_category) || {};
      for (var k in cats) if (Object.prototype.hasOwnProperty.call(cats, k)) n += Number(cats[k][field]) || 0;
      return n;
    }
    if (cur.activities) {  // the activity ledger (工作开展台账), when this version has it
      rows.push(row("工作开展（次）", function (d) { return activityTotal(d, "count"); }));
      rows.push(row("  参与人次", function (d) { return activityTotal(d, "person_times"); }));
    }
    add(root, el("p", "lead", (data.bureau || "") + " " + periodLabel(data.period) + " 统计（截至 " + data.as_of + "）"));
    if (data.period_note) add(root, el("p", "note", data.period_note));
    add(root, table(ytd ? ["项目", periodHeading(data.period), "累计"] : ["项目", "本期"], rows, "grid figures"));
    var blocking = data.blocking_errors || [];
    if (blocking.length) {
      var warn = add(el("div", "bad"), el("p", null, "以下台账有错误，统计数字可能不准确（先用“检查台账”查看）："));
      var ul = el("ul");
      for (var i = 0; i < blocking.length; i++) {
        add(ul, el("li", null, fileName(blocking[i].file) + (blocking[i].sheet ? "“" + blocking[i].sheet + "”" : "") +
                   "：" + blocking[i].errors + " 个错误"));
      }
      add(root, add(warn, ul));
    }
    var unreadable = data.unreadable || [];
    for (var u = 0; u < unreadable.length; u++) add(root, el("p", "bad", "无法读取：" + unreadable[u].reason));
    add(root, el("h3", null, "汇报段落"), el("p", "narrative", data.narrative));
    return root;
  }

  /** taizhang consolidate --json: who reported, each file's fate, rows read = written + rejected. */
  function consolidateView(data) {
    var root = el("div", "result consolidate");
    // a roll-up (the folder held masters, not units' workbooks): the units named are counties
    var who = data.rollup ? "县（区）" : "单位";
    add(root, el("p", "lead", periodLabel(data.period) + (data.rollup ? " 逐级汇总" : " 月度合并") + "：已报送 " +
                 data.units_reported.length + " 个" + who + "，未报送 " +
                 data.units_missing.length + " 个" + (data.units_missing.length ? "：" + data.units_missing.join("、") : "")));
    if (data.rollup) add(root, el("p", "note", "文件夹中是各县（区）报送的合并主表，已逐级汇总：明细的“县（区）”列注明每行来自哪个县（区）、哪个单位。"));
    var rows = [];
    for (var i = 0; i < data.files.length; i++) {
      var f = data.files[i];
      rows.push([fileName(f.path), f.unit || "", f.status === "ok" ? "已合并" : "退回", f.rows_read, f.rows_written,
                 f.rows_rejected, f.errors, f.reason || ""]);
    }
    add(root, table(["文件", who, "结果", "读取", "写入", "退回", "错误", "说明"], rows, "grid files"));
    add(root, el("p", null, "读取 " + data.rows_read + " 行 = 写入 " + data.rows_written + " 行 + 退回 " + data.rows_rejected + " 行"));
    add(root, el("p", "path", "局主表：" + data.master));
    if (data.backup) add(root, el("p", "path", "原主表已备份为：" + data.backup));
    return root;
  }

  function reportView(data) {
    var root = el("div", "result report");
    add(root, el("p", "lead", (data.bureau || "") + " " + (data.period_label || data.period || "") + " 情况汇报已生成"));
    if (data.period_note) add(root, el("p", "note", data.period_note));
    if (data.output) add(root, el("p", "path", data.output));
    if (data.narrative) add(root, el("h3", null, "主要数字"), el("p", "narrative", data.narrative));
    return root;
  }

  function progressView(title, progress) {
    var root = el("div", "progress");
    var text = "正在" + title + "……";
    var bar = el("progress");
    if (progress && progress.total) {
      text += " 已完成 " + progress.done + " / " + progress.total + " 个文件" + (progress.file ? "：" + progress.file : "");
      bar.max = progress.total;
      bar.value = progress.done;
    }
    return add(root, el("p", null, text), bar);
  }

  function view(command, data, onCell) {
    if (command === "check") return checkView(data, onCell);
    if (command === "summary") return summaryView(data);
    if (command === "consolidate") return consolidateView(data);
    if (command === "report") return reportView(data);
    return el("pre", null, JSON.stringify(data, null, 2));
  }

  return { el: el, add: add, view: view, checkView: checkView, summaryView: summaryView,
           consolidateView: consolidateView, reportView: reportView, progressView: progressView,
           fileName: fileName, money: money, periodLabel: periodLabel,
           periodHeading: periodHeading };
})();
