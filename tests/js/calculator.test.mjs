// The calculator's pure functions against the hand-computed vectors in vectors.json (node --test tests/js/).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import {
  addDays,
  addWorkingDays,
  calculate,
  checkRules,
  dayInfo,
  formatDate,
  formatRange,
  formatYuan,
  fromQuery,
  parseDate,
  parseYuan,
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
      if ("pickupAssumed" in e) assert.equal(result.timeline.find((s) => s.id === "pickup").assumed, e.pickupAssumed);
      if (e.noteIncludes) assert.ok(result.notes.some((n) => n.includes(e.noteIncludes)), result.notes.join());
      assert.ok(result.summary.length > 0);
    });
  }
});

describe("required coverage of the vectors", () => {
  const names = vectors.map((v) => v.name).join("\n");
  for (const topic of ["未发货取消", "商品质量问题退货", "其他原因退货，填了国际退货费用", "国庆", "2027", "大于实付金额"])
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
    });
    assert.equal(dayInfo("2027-01-01", calendar).status, "estimated");
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
    const input = { state: "delivered", action: "return", reason: "other", paid: "500", fee: "68.5", date: "2026-06-10", pickup: "" };
    const query = toQuery(input, rules);
    assert.equal(query, "state=delivered&action=return&reason=other&paid=500&fee=68.5&date=2026-06-10");
    assert.deepEqual(fromQuery(`?${query}`), { state: "delivered", action: "return", reason: "other", paid: "500", fee: "68.5", date: "2026-06-10" });
    const cancel = toQuery({ ...input, action: "cancel", state: "not_shipped" }, rules);
    assert.equal(cancel, "state=not_shipped&action=cancel&paid=500&date=2026-06-10");
    assert.ok(!toQuery({ ...input, reason: "quality" }, rules).includes("fee="));
  });
  test("unknown parameters are ignored", () => {
    assert.deepEqual(fromQuery("?q=退款&h=1&paid=5"), { paid: "5" });
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
