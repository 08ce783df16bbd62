// The calculator's pure functions against the hand-computed vectors in vectors.json (node --test tests/js/).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import {
  addDays,
  addWorkingDays,
  calculate,
  canonicalState,
  checkRules,
  dayInfo,
  formatDate,
  formatRange,
  formatYuan,
  fromQuery,
  parseDate,
  parseYuan,
  reasonHint,
  toQuery,
} from "../../docs/assets/calculator/calc.js";

const read = (path) => JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8"));
const rules = read("../../docs/tools/calculator-rules.json");
const { calendar, vectors } = read("./vectors.json");

describe("test vectors", () => {
  for (const v of vectors) {
    test(v.name, () => {
      const result = calculate(v.input, rules, calendar, v.today);
      const e = v.expect;
      assert.equal(result.valid, e.valid, JSON.stringify(result.errors));
      const text = JSON.stringify(result);
      for (const bad of ["NaN", "Invalid Date", "undefined", "null元", "Infinity"]) assert.ok(!text.includes(bad), `${bad} in ${text}`);
      if (!e.valid) {
        assert.deepEqual(Object.keys(result.errors).sort(), Object.keys(e.errors).sort());
        for (const [field, message] of Object.entries(e.errors)) assert.ok(result.errors[field].includes(message), result.errors[field]);
        return;
      }
      assert.equal(result.possible, e.possible);
      if (!e.possible) {
        assert.equal(result.switchTo, e.switchTo);
        if (e.messageIncludes) assert.ok(result.message.includes(e.messageIncludes), result.message);
        return;
      }
      if ("refundFen" in e) assert.equal(result.refund.fen, e.refundFen);
      if (e.refundText) assert.equal(result.refund.text, e.refundText);
      for (const [id, value] of Object.entries(e.fees ?? {})) {
        const fee = result.fees.find((f) => f.id === id);
        assert.ok(fee?.value.includes(value), `${id}: ${fee?.value}`);
      }
      for (const [id, range] of Object.entries(e.timeline ?? {})) {
        const step = result.timeline.find((s) => s.id === id);
        assert.ok(step, `no step ${id}`);
        assert.deepEqual(range === null ? null : [step.from, step.to], range === null ? null : range, id);
        if (range === null) assert.equal(step.from, null);
      }
      if (e.estimatedYears) assert.deepEqual(result.estimatedYears, e.estimatedYears);
      for (const [id, years] of Object.entries(e.stepEstimatedYears ?? {})) {
        const step = result.timeline.find((s) => s.id === id);
        assert.deepEqual(step.estimatedYears, years, id);
        assert.equal(Boolean(step.calendarNote), years.length > 0, id);
        for (const year of years) assert.ok(step.calendarNote.includes(`${year} 年的估算日历`), step.calendarNote);
      }
      const step = (id) => result.timeline.find((s) => s.id === id);
      if ("pickupAssumed" in e) assert.equal(step("pickup").badges.includes("假设"), e.pickupAssumed);
      if (e.noteIncludes) assert.ok(result.notes.some((n) => n.includes(e.noteIncludes)), result.notes.join());
      for (const [id, badges] of Object.entries(e.stepBadges ?? {})) assert.deepEqual(step(id).badges, badges, id);
      for (const [id, names] of Object.entries(e.stepHolidays ?? {})) assert.deepEqual(step(id).holidays, names, id);
      for (const [id, text] of Object.entries(e.whenIncludes ?? {})) assert.ok(step(id).when.includes(text), step(id).when);
      for (const text of e.summaryIncludes ?? []) assert.ok(result.summary.includes(text), `${text} in ${result.summary}`);
      for (const text of e.summaryExcludes ?? []) assert.ok(!result.summary.includes(text), `${text} in ${result.summary}`);
      if ("past" in e) assert.equal(Boolean(result.past), e.past, result.summary);
      if (result.past) assert.deepEqual(result.past.steps.map((s) => s.faq[0]), ["refund-bank", "contact-service"]);
      assert.ok(result.summary.length > 0);
      assert.ok(!text.includes("最早可能"), "an assumption is never a promise of the earliest date");
      // A step whose date rests on an assumption says so with its badge.
      for (const s of result.timeline) if (s.when.includes("假设")) assert.ok(s.badges.includes("假设"), s.id);
    });
  }
});

describe("required coverage of the vectors", () => {
  const names = vectors.map((v) => v.name).join("\n");
  for (const topic of ["未发货取消", "请客服取消", "商品质量问题退货", "其他原因退货，填了国际退货费用", "国庆", "2027", "大于实付金额", "取消日期已经过去", "退货的预计日期都已经过去", "已签收（delivered）"])
    test(topic, () => assert.ok(names.includes(topic)));
});

describe("working days", () => {
  test("make-up Saturday 2026-10-10 works, National Day does not", () => {
    assert.deepEqual(dayInfo("2026-10-10", calendar), { working: true, status: "official" });
    assert.deepEqual(dayInfo("2026-10-07", calendar), { working: false, status: "official" });
    assert.deepEqual(dayInfo("2026-10-11", calendar), { working: false, status: "official" });
  });
  test("the start day never counts, even when it is a working day", () => {
    assert.equal(addWorkingDays("2026-11-26", 1, calendar).date, "2026-11-27");
    assert.equal(addWorkingDays("2026-11-27", 1, calendar).date, "2026-11-30");
    assert.equal(addWorkingDays("2026-11-28", 0, calendar).date, "2026-11-28");
  });
  test("unofficial and uncovered years are reported", () => {
    assert.deepEqual(addWorkingDays("2027-12-30", 2, calendar), {
      date: "2028-01-03",
      estimatedYears: [2027],
      uncoveredYears: [2028],
      holidays: [],
      makeupDays: [],
    });
    assert.equal(dayInfo("2027-01-01", calendar).status, "estimated");
  });
});

describe("holidays that move a date are named", () => {
  test("a count across National Day names the festival and the make-up Saturday", () => {
    const count = addWorkingDays("2026-09-30", 4, calendar); // 10/8, 10/9, 10/10 (Saturday, worked), 10/12
    assert.equal(count.date, "2026-10-12");
    assert.deepEqual(count.holidays, ["国庆节"]);
    assert.deepEqual(count.makeupDays, ["2026-10-10"]);
  });
  test("a holiday on a weekend moves nothing and is not named", () => {
    // 2027-05-01/02 (推定劳动节) are a Saturday and Sunday; 05-03 and 05-04 are weekdays off.
    assert.deepEqual(addWorkingDays("2027-04-29", 1, calendar).holidays, []);
    assert.deepEqual(addWorkingDays("2027-04-30", 1, calendar).holidays, ["劳动节"]);
  });
});

describe("dates and money", () => {
  test("parseDate accepts only real ISO dates", () => {
    assert.equal(parseDate("2026-10-10"), "2026-10-10");
    for (const bad of ["2026-02-29", "2026-13-01", "2026-1-1", "", null, "2026/10/10", "10-10-2026"]) assert.equal(parseDate(bad), null);
    assert.equal(parseDate("2028-02-29"), "2028-02-29");
  });
  test("formatting", () => {
    assert.equal(formatDate("2026-10-10"), "2026年10月10日（周六）");
    assert.equal(formatRange("2026-12-23", "2027-01-04"), "2026年12月23日（周三） 至 2027年1月4日（周一）");
    assert.equal(formatRange("2026-10-16", "2026-10-27"), "2026年10月16日（周五） 至 10月27日（周二）");
    assert.equal(addDays("2026-12-31", 1), "2027-01-01");
    assert.equal(formatYuan(123456789), "¥1,234,567.89");
    assert.equal(formatYuan(5), "¥0.05");
  });
  test("parseYuan", () => {
    assert.deepEqual(parseYuan("0.1"), { fen: 10 });
    assert.deepEqual(parseYuan(".5"), { fen: 50 });
    assert.deepEqual(parseYuan("¥ 1,000"), { fen: 100000 });
    assert.deepEqual(parseYuan("1e5"), { error: "not_number" });
    assert.deepEqual(parseYuan("."), { error: "not_number" });
    assert.deepEqual(parseYuan("  "), { error: "empty" });
    assert.deepEqual(parseYuan("-0.5"), { error: "negative" });
  });
});

describe("shareable link", () => {
  test("round trip keeps the relevant fields only", () => {
    const input = { state: "shipped", action: "return", method: "online", reason: "other", paid: "500", fee: "68.5", date: "2026-06-10", pickup: "" };
    const query = toQuery(input, rules);
    assert.equal(query, "state=shipped&action=return&reason=other&paid=500&fee=68.5&date=2026-06-10");
    assert.deepEqual(fromQuery(`?${query}`), { state: "shipped", action: "return", reason: "other", paid: "500", fee: "68.5", date: "2026-06-10" });
    const cancel = toQuery({ ...input, action: "cancel", state: "not_shipped", method: "service" }, rules);
    assert.equal(cancel, "state=not_shipped&action=cancel&method=service&paid=500&date=2026-06-10");
    assert.ok(!toQuery({ ...input, reason: "quality" }, rules).includes("fee="));
  });
  test("an old link's delivered is read as shipped", () => {
    assert.equal(canonicalState("delivered", rules), "shipped");
    assert.equal(canonicalState("shipped", rules), "shipped");
    assert.equal(canonicalState("说明", rules), "说明");
  });
  test("unknown parameters are ignored", () => {
    assert.deepEqual(fromQuery("?q=退款&h=1&paid=5"), { paid: "5" });
  });
});

describe("the page's text follows the rules file", () => {
  const CANCEL = { state: "not_shipped", action: "cancel", method: "online", paid: "299", date: "2026-11-26" };
  const RETURN = { state: "shipped", action: "return", reason: "other", paid: "500", fee: "50", date: "2026-06-10" };
  const run = (change, input) => {
    const changed = structuredClone(rules);
    change(changed);
    assert.deepEqual(checkRules(changed), []);
    const result = calculate(input, changed, calendar, input.date);
    assert.equal(result.possible, true, JSON.stringify(result));
    return { result, text: JSON.stringify(result), rules: changed };
  };
  test("a cancellation fee", () => {
    const { result, text } = run((r) => (r.cancel.fee_yuan = 5), CANCEL);
    assert.equal(result.refund.fen, 29400);
    assert.ok(result.summary.includes("手续费 ¥5.00"), result.summary);
    assert.ok(!text.includes("不收费"), text);
  });
  test("a refund some days after the cancellation", () => {
    const { result, text } = run((r) => (r.cancel.refund_after_days = 2), CANCEL);
    assert.deepEqual([result.timeline[1].from, result.timeline[1].to], ["2026-11-28", "2026-11-28"]);
    assert.ok(result.summary.includes("取消后第 2 天"), result.summary);
    assert.ok(!text.includes("当天"), text);
  });
  test("money paid at pickup", () => {
    const { result, text } = run((r) => (r.return.pay_at_pickup_yuan = 10), RETURN);
    assert.equal(result.fees.find((f) => f.id === "pickup-fee").value, "¥10.00");
    assert.ok(!text.includes("不需要支付") && !text.includes("不用付"), text);
  });
  test("which reasons bear the international return fee", () => {
    const both = run((r) => (r.return.fee_deducted_for_reasons = ["quality", "other"]), { ...RETURN, reason: "quality" });
    assert.ok(both.result.fees.find((f) => f.id === "shipping-fee").value.includes("从退款中扣除"));
    assert.ok(both.text.includes("“商品质量问题”，要承担国际退货费用"), both.text);
    assert.ok(reasonHint(both.rules).startsWith("选“商品质量问题”或“其他原因”要承担"), reasonHint(both.rules));
    assert.ok(!reasonHint(both.rules).includes("没有写到"));
    const none = run((r) => (r.return.fee_deducted_for_reasons = []), RETURN);
    assert.equal(none.result.refund.fen, 50000);
    assert.ok(none.text.includes("“其他原因”时，帮助中心没有写到要承担国际退货费用"), none.text);
  });
  test("the reasons' names", () => {
    const { text, rules: changed } = run((r) => (r.reason_labels.other = "不想要了"), RETURN);
    assert.ok(text.includes("“不想要了”"), text);
    assert.ok(reasonHint(changed).includes("“不想要了”"));
  });
  test("the carrier's name", () => {
    const { text } = run((r) => (r.return.carrier = "顺丰"), RETURN);
    assert.ok(text.includes("顺丰官网") && text.includes("收到顺丰的通知"), text);
    assert.ok(!text.includes("易客满"), text);
  });
  test("the notice window, the transit and the refund processing days", () => {
    const { result, text } = run((r) => {
      r.return.notice_within_hours = 48;
      r.return.transit_working_days = 20;
      r.return.refund_working_days = { min: 5, max: 12 };
    }, RETURN);
    assert.ok(text.includes("提交后 48 小时内") && text.includes("平均 20 个工作日") && text.includes("平均 5–12 个工作日"), text);
    assert.equal(result.timeline.find((s) => s.id === "notice").to, "2026-06-12");
    assert.ok(!text.includes("24 小时") && !text.includes("15 个工作日") && !text.includes("3–10"), text);
  });
  test("the assumptions", () => {
    const { result } = run((r) => {
      r.return.assumed_pickup_after_days = 3;
      r.return.assumed_confirm_after_working_days = 2;
    }, RETURN);
    assert.equal(result.timeline.find((s) => s.id === "pickup").from, "2026-06-13");
    assert.ok(result.assumptions[0].includes("申请后第 3 天"), result.assumptions[0]);
    assert.ok(result.assumptions[1].includes("到货后第 2 个工作日"), result.assumptions[1]);
  });
  test("calc.js itself holds no rule value", () => {
    const source = readFileSync(new URL("../../docs/assets/calculator/calc.js", import.meta.url), "utf8");
    for (const value of ["易客满", "24 小时", "15 个工作日", "3–10", "商品质量问题", "其他原因"]) assert.ok(!source.includes(value), value);
  });
  test("the 计算依据 section of the page states the rules file's values", () => {
    const page = readFileSync(new URL("../../docs/tools/calculator.md", import.meta.url), "utf8");
    const basis = page.slice(page.indexOf("## 计算依据"));
    const r = rules.return;
    const expected = [
      `${r.notice_within_hours} 小时内收到${r.carrier}的通知`,
      `平均 ${r.transit_working_days} 个工作日`,
      `平均 ${r.refund_working_days.min}–${r.refund_working_days.max} 个工作日`,
      `申请后第 ${r.assumed_pickup_after_days} 天取件`,
      r.assumed_confirm_after_working_days === 0 ? "当天就确认" : `第 ${r.assumed_confirm_after_working_days} 个工作日`,
      rules.cancel.fee_yuan === 0 ? "不收费" : `${rules.cancel.fee_yuan} 元`,
      rules.cancel.refund_after_days === 0 ? "取消的当天" : `第 ${rules.cancel.refund_after_days} 天`,
    ];
    for (const text of expected) assert.ok(basis.includes(text), `计算依据 should say “${text}” (calculator-rules.json)`);
  });
});

describe("rules data", () => {
  test("the shipped rules file is usable", () => assert.deepEqual(checkRules(rules), []));
  test("a broken rules file is named", () => {
    const broken = structuredClone(rules);
    broken.return.transit_working_days = "15";
    broken.return.fee_deducted_for_reasons = ["price"];
    const problems = checkRules(broken);
    assert.ok(problems.some((p) => p.includes("transit_working_days")));
    assert.ok(problems.some((p) => p.includes("price")));
    assert.ok(checkRules(null).length > 0);
  });
  test("the article's numbers, and no fee amount", () => {
    assert.equal(rules.return.transit_working_days, 15);
    assert.deepEqual(rules.return.refund_working_days, { min: 3, max: 10 });
    assert.equal(rules.return.notice_within_hours, 24);
    assert.equal(rules.cancel.refund_after_days, 0);
    assert.ok(!JSON.stringify(rules).includes("shipping_fee_yuan"));
  });
});
