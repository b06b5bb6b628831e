/* 困难职工档案登记表: derived fields as the ID is typed (display only; the server derives them again),
   family-member rows, the three causes, 家庭年人均收入 and "采用" of a suggested category.
   A static file because the Content-Security-Policy forbids inline scripts. */
(function () {
  "use strict";

  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]; // GB 11643-1999: 2^(17-i) mod 11
  var CHECK_CHARS = "10X98765432";

  function normalize(text) {
    return (text || "")
      .replace(/[０-９]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xfee0); })
      .replace(/[ｘＸ]/g, "X")
      .replace(/[\s\u3000\-\u2010-\u2014\u2212\uff0d]/g, "")
      .toUpperCase();
  }

  function checkDigit(first17) {
    var sum = 0;
    for (var i = 0; i < 17; i++) { sum += Number(first17.charAt(i)) * WEIGHTS[i]; }
    return CHECK_CHARS.charAt(sum % 11);
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /* {state: "empty"|"masked"|"partial"|"error"|"ok", message, birth: "YYYY-MM-DD", sex, age} */
  function parseId(raw) {
    var s = normalize(raw);
    if (!s) { return { state: "empty" }; }
    if (s.indexOf("*") >= 0) { return { state: "masked" }; }
    if (!/^\d*X?$/.test(s)) { return { state: "error", message: "身份证号只能包含数字，18位号码的最后一位可以是X" }; }
    if (s.length > 18) { return { state: "error", message: "身份证号应为18位，现在是" + s.length + "位" }; }
    var note = "";
    if (s.length === 15 && /^\d{15}$/.test(s)) {
      var f = s.slice(0, 6) + "19" + s.slice(6);
      s = f + checkDigit(f);
      note = "15位旧号码，按18位号码" + s.slice(0, 6) + "…计算；";
    }
    if (s.length < 18) {
      return { state: "partial", message: "已输入" + s.length + "位，还差" + (18 - s.length) + "位" };
    }
    if (s.slice(0, 17).indexOf("X") >= 0) {
      return { state: "error", message: "只有最后一位可以是X" };
    }
    var expected = checkDigit(s.slice(0, 17));
    if (s.charAt(17) !== expected) {
      return { state: "error", message: "校验位错误：按前17位计算，最后一位应为" + expected + "，实际为" +
        s.charAt(17) + "。请核对号码是否输错" };
    }
    var y = Number(s.slice(6, 10)), m = Number(s.slice(10, 12)), d = Number(s.slice(12, 14));
    var born = new Date(y, m - 1, d);
    if (born.getFullYear() !== y || born.getMonth() !== m - 1 || born.getDate() !== d) {
      return { state: "error", message: "身份证号中的出生日期" + s.slice(6, 14) + "不是有效日期" };
    }
    var today = new Date();
    if (born > today) { return { state: "error", message: "身份证号中的出生日期晚于今天" }; }
    if (y < 1850) { return { state: "error", message: "身份证号中的出生日期早于1850年" }; }
    var age = today.getFullYear() - y;
    if (today.getMonth() + 1 < m || (today.getMonth() + 1 === m && today.getDate() < d)) { age -= 1; }
    return {
      state: "ok", message: note + "校验位正确", birth: y + "-" + pad(m) + "-" + pad(d),
      sex: Number(s.charAt(16)) % 2 ? "男" : "女", age: age
    };
  }

  function setHint(el, text, state) {
    if (!el) { return; }
    el.textContent = text || "";
    el.classList.toggle("error", state === "error");
    el.classList.toggle("ok", state === "ok");
  }

  function setText(id, text) {
    var el = document.getElementById(id);
    if (el) { el.textContent = text; }
  }

  function onHeadId(input) {
    var r = parseId(input.value);
    if (r.state === "masked") { return; } // editing: the server shows the stored values
    setText("id-birth", r.state === "ok" ? r.birth : "—");
    setText("id-sex", r.state === "ok" ? r.sex : "—");
    setText("id-age", r.state === "ok" ? r.age + "岁" : "—");
    setHint(document.getElementById("id-hint"), r.message, r.state);
  }

  function onMemberId(input) {
    var r = parseId(input.value);
    var cell = input.closest("td");
    var hint = cell.querySelector(".hint");
    if (!hint) {
      hint = document.createElement("small");
      hint.className = "hint";
      hint.setAttribute("aria-live", "polite");
      cell.appendChild(hint);
    }
    setHint(hint, r.state === "ok" || r.state === "masked" || r.state === "empty" ? "" : r.message, r.state);
    if (r.state !== "ok") { return; }
    var row = input.closest("tr");
    var birth = row.querySelector("input[name$='-birth_date']");
    var sex = row.querySelector("select[name$='-sex']");
    if (birth) { birth.value = r.birth; }
    if (sex) { sex.value = r.sex; }
  }

  /* yuan text → cents (integer), or null; display only, the server parses amounts itself */
  function cents(text) {
    var t = normalize(text).replace(/[,¥￥]/g, "");
    if (!/^\d+(\.\d{0,2})?$/.test(t)) { return null; }
    var parts = t.split(".");
    return Number(parts[0]) * 100 + Number(((parts[1] || "") + "00").slice(0, 2));
  }

  function updatePerCapita() {
    var out = document.getElementById("per-capita");
    var income = document.getElementById("id_household_annual_income");
    var size = document.getElementById("id_household_size");
    if (!out || !income || !size) { return; }
    var c = cents(income.value), n = parseInt(size.value, 10);
    if (c === null || !(n >= 1)) { out.textContent = "—"; return; }
    var each = Math.round(c / n);
    out.textContent = Math.floor(each / 100) + "." + pad(each % 100);
  }

  function updateCauses(form) {
    var selects = ["id_cause_1", "id_cause_2", "id_cause_3"].map(function (id) { return document.getElementById(id); })
      .filter(Boolean);
    selects.forEach(function (sel) {
      var others = selects.filter(function (o) { return o !== sel; }).map(function (o) { return o.value; });
      Array.prototype.forEach.call(sel.options, function (opt) {
        opt.disabled = opt.value !== "" && others.indexOf(opt.value) >= 0;
      });
    });
  }

  function addMember(form) {
    var total = form.querySelector("input[name='members-TOTAL_FORMS']");
    var tpl = document.getElementById("member-template");
    var rows = document.getElementById("member-rows");
    var max = Number(form.getAttribute("data-max-members") || "8");
    var n = Number(total.value);
    if (n >= max) {
      var button = document.getElementById("add-member");
      button.disabled = true;
      button.textContent = "最多登记" + max + "位家庭成员";
      return;
    }
    rows.insertAdjacentHTML("beforeend", tpl.innerHTML.replace(/__prefix__/g, String(n)));
    total.value = String(n + 1);
    var added = rows.querySelectorAll("tr.member-row");
    added[added.length - 1].querySelector("input").focus();
  }

  function init() {
    var form = document.getElementById("archive-form");
    if (!form) { return; }
    form.addEventListener("input", function (e) {
      var t = e.target;
      if (t.matches("input.idno")) {
        if (t.hasAttribute("data-id-head")) { onHeadId(t); } else { onMemberId(t); }
      }
      if (t.id === "id_household_annual_income" || t.id === "id_household_size") { updatePerCapita(); }
    });
    form.addEventListener("change", function (e) {
      if (/^id_cause_\d$/.test(e.target.id)) { updateCauses(form); }
    });
    form.addEventListener("click", function (e) {
      var use = e.target.closest("[data-use-category]");
      if (use) {
        var cat = document.getElementById("id_category");
        cat.value = use.getAttribute("data-use-category");
        cat.dispatchEvent(new Event("change", { bubbles: true }));
        setHint(document.getElementById("category-hint"), "已采用建议：" + cat.value, "ok");
        return;
      }
      if (e.target.id === "add-member") { addMember(form); }
    });
    var head = form.querySelector("input.idno[data-id-head]");
    if (head && head.value) { onHeadId(head); }
    updatePerCapita();
    updateCauses(form);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
