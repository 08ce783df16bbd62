// 费用与退款日期计算器：纯计算函数（不碰页面、不读时钟、没有全局状态）。
// Pure functions for the fee and refund-date calculator. Every rule comes from the rules data
// (docs/tools/calculator-rules.json) and every working day from the calendar data
// (tools/workdays.json, generated at build time); both are passed in as arguments.
// Dates are ISO strings "YYYY-MM-DD"; money is an integer number of fen (分).

export const FIELDS = ["state", "action", "method", "reason", "paid", "fee", "date", "pickup"];
export const ACTIONS = ["cancel", "return"];

const MS_PER_DAY = 24 * 60 * 60 * 1000;
const FEN_PER_YUAN = 100;
const HOURS_PER_DAY = 24;
const SAFE_DIGITS = 12; // longer whole-yuan numbers lose precision; they fail max_amount_yuan anyway
const WEEKDAY_NAMES = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];

// ---------------------------------------------------------------- dates

/** Given text, return it as an ISO date when it is a real calendar date "YYYY-MM-DD", else null. */
export function parseDate(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text ?? "").trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null;
  return m[0];
}

function toTime(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return Date.UTC(y, m - 1, d);
}

function fromTime(time) {
  return new Date(time).toISOString().slice(0, 10);
}

/** Given an ISO date and a number of calendar days, return the ISO date that many days later. */
export function addDays(iso, days) {
  return fromTime(toTime(iso) + days * MS_PER_DAY);
}

/** Given two ISO dates, return how many calendar days the second is after the first. */
export function daysBetween(from, to) {
  return Math.round((toTime(to) - toTime(from)) / MS_PER_DAY);
}

/** Given an ISO date, return its ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(iso) {
  return ((new Date(toTime(iso)).getUTCDay() + 6) % 7) + 1;
}

/** Given an ISO date, return it the way the page shows it: 2026年10月13日（周二）. */
export function formatDate(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return `${y}年${m}月${d}日（${WEEKDAY_NAMES[isoWeekday(iso) - 1]}）`;
}

/** Given two ISO dates, return the range as text; the year is not repeated within one year. */
export function formatRange(from, to) {
  if (from === to) return formatDate(from);
  const end = from.slice(0, 4) === to.slice(0, 4) ? formatDate(to).slice(5) : formatDate(to);
  return `${formatDate(from)} 至 ${end}`;
}

// ---------------------------------------------------------------- working days

const indexCache = new WeakMap();

function calendarIndex(calendar) {
  let index = indexCache.get(calendar);
  if (!index) {
    index = {
      weekend: new Set(calendar.weekend),
      years: new Map(
        Object.entries(calendar.years).map(([year, data]) => [
          Number(year),
          {
            official: data.official === true,
            holidays: new Set(Object.keys(data.holidays)),
            workdays: new Set(data.workdays),
          },
        ]),
      ),
    };
    indexCache.set(calendar, index);
  }
  return index;
}

/**
 * Given an ISO date and the calendar data, say whether it is a mainland-China working day.
 * `status` is "official" (published schedule), "estimated" (the library's estimate) or
 * "uncovered" (the year is not in the calendar: weekends only).
 */
export function dayInfo(iso, calendar) {
  const index = calendarIndex(calendar);
  const year = index.years.get(Number(iso.slice(0, 4)));
  const weekend = index.weekend.has(isoWeekday(iso));
  if (!year) return { working: !weekend, status: "uncovered" };
  const working = year.workdays.has(iso) || (!year.holidays.has(iso) && !weekend);
  return { working, status: year.official ? "official" : "estimated" };
}

// A day off's own name, without "（补假）" and the like; null for an unnamed day or a swapped rest day.
function holidayLabel(iso, calendar) {
  const raw = calendar.years[iso.slice(0, 4)]?.holidays?.[iso];
  const name = String(raw ?? "").replace(/（[^）]*）|\([^)]*\)/g, "").trim();
  if (!name || name.startsWith("休息日")) return null;
  return name.includes("除夕") ? "春节" : name; // New Year's Eve opens the Spring Festival break
}

/** Given a day off and the calendar, return the holiday whose break it belongs to (nearest named day off), or null. */
export function breakName(iso, calendar) {
  const own = holidayLabel(iso, calendar);
  if (own) return own;
  for (const step of [-1, 1]) {
    let day = iso;
    for (let i = 0; i < 14; i += 1) {
      day = addDays(day, step);
      if (dayInfo(day, calendar).working) break;
      const name = holidayLabel(day, calendar);
      if (name) return name;
    }
  }
  return null;
}

/**
 * Given an ISO date, a number of working days and the calendar, return the date of the n-th
 * working day after it (the start day itself never counts), the years whose schedule the count
 * relied on without it being official, the holidays that pushed it later (weekdays off) and the
 * make-up working days (weekend days worked) it counted:
 * { date, estimatedYears, uncoveredYears, holidays, makeupDays }.
 */
export function addWorkingDays(iso, count, calendar) {
  const estimated = new Set();
  const uncovered = new Set();
  const holidays = new Set();
  const makeupDays = [];
  const weekend = calendarIndex(calendar).weekend;
  let day = iso;
  let left = count;
  while (left > 0) {
    day = addDays(day, 1);
    const info = dayInfo(day, calendar);
    const year = Number(day.slice(0, 4));
    if (info.status === "estimated") estimated.add(year);
    if (info.status === "uncovered") uncovered.add(year);
    const isWeekend = weekend.has(isoWeekday(day));
    if (info.working) left -= 1;
    if (info.working && isWeekend) makeupDays.push(day);
    if (!info.working && !isWeekend) {
      const name = breakName(day, calendar);
      if (name) holidays.add(name);
    }
  }
  return {
    date: day,
    estimatedYears: [...estimated].sort(),
    uncoveredYears: [...uncovered].sort(),
    holidays: [...holidays],
    makeupDays,
  };
}

// ---------------------------------------------------------------- money

/** Given what a shopper typed, return { fen } or { error } with one of: empty, not_number, negative, decimals. */
export function parseYuan(text) {
  const clean = String(text ?? "")
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[．。]/g, ".")
    .replace(/[－—]/g, "-")
    .replace(/[\s,，¥￥元]/g, "");
  if (clean === "") return { error: "empty" };
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(clean);
  if (!m || (m[2] === "" && !m[3])) return { error: "not_number" };
  if (m[1]) return { error: "negative" };
  const decimals = m[3] ?? "";
  if (decimals.length > 2) return { error: "decimals" };
  const whole = m[2].replace(/^0+(?=\d)/, "") || "0";
  if (whole.length > SAFE_DIGITS) return { fen: Number.MAX_SAFE_INTEGER };
  return { fen: Number(whole) * FEN_PER_YUAN + Number(decimals.padEnd(2, "0")) };
}

/** Given an amount in fen, return it as ¥1,299.00. */
export function formatYuan(fen) {
  const whole = Math.floor(fen / FEN_PER_YUAN);
  const cents = String(fen % FEN_PER_YUAN).padStart(2, "0");
  return `¥${String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${cents}`;
}

// ---------------------------------------------------------------- rules

/** Given the rules data, return a list of problems (empty when the calculator can use it). */
export function checkRules(rules) {
  const problems = [];
  const isCount = (v) => Number.isInteger(v) && v >= 0;
  const need = (ok, what) => ok || problems.push(what);
  need(Array.isArray(rules?.states) && rules.states.length > 0, "states 要列出订单状态");
  need(Array.isArray(rules?.reasons) && rules.reasons.length > 0, "reasons 要列出退货原因");
  const c = rules?.cancel ?? {};
  const r = rules?.return ?? {};
  const l = rules?.limits ?? {};
  for (const reason of rules?.reasons ?? [])
    need(typeof rules.reason_labels?.[reason] === "string", `reason_labels 要写出 ${reason} 的名字`);
  for (const [alias, state] of Object.entries(rules?.state_aliases ?? {}))
    need(alias === "说明" || rules.states?.includes(state), `state_aliases 里的 ${alias} 要指向 states 里的状态`);
  need(Array.isArray(c.allowed_states), "cancel.allowed_states 要是列表");
  need(Array.isArray(c.methods) && c.methods.every((m) => CANCEL_METHODS.includes(m)), `cancel.methods 只能列 ${CANCEL_METHODS.join("、")}`);
  need(isCount(c.fee_yuan), "cancel.fee_yuan 要是不小于 0 的整数");
  need(isCount(c.refund_after_days), "cancel.refund_after_days 要是不小于 0 的整数");
  need(typeof r.carrier === "string" && r.carrier.trim() !== "", "return.carrier 要写承运商的名字");
  need(Array.isArray(r.allowed_states), "return.allowed_states 要是列表");
  need(isCount(r.notice_within_hours), "return.notice_within_hours 要是不小于 0 的整数");
  need(isCount(r.assumed_pickup_after_days), "return.assumed_pickup_after_days 要是不小于 0 的整数");
  need(isCount(r.assumed_confirm_after_working_days), "return.assumed_confirm_after_working_days 要是不小于 0 的整数");
  need(isCount(r.pay_at_pickup_yuan), "return.pay_at_pickup_yuan 要是不小于 0 的整数");
  need(Array.isArray(r.fee_deducted_for_reasons), "return.fee_deducted_for_reasons 要是列表");
  need(isCount(r.transit_working_days), "return.transit_working_days 要是不小于 0 的整数");
  const rw = r.refund_working_days ?? {};
  need(isCount(rw.min) && isCount(rw.max) && rw.min <= rw.max, "return.refund_working_days 要有 min ≤ max");
  for (const key of ["max_amount_yuan", "request_max_days_ago", "request_max_days_ahead", "pickup_max_days_after_request"])
    need(isCount(l[key]) && l[key] > 0, `limits.${key} 要是大于 0 的整数`);
  for (const [name, part] of [["cancel", c], ["return", r]])
    for (const state of part.allowed_states ?? [])
      need(rules.states?.includes(state), `${name}.allowed_states 里的 ${state} 不在 states 里`);
  for (const reason of r.fee_deducted_for_reasons ?? [])
    need(rules.reasons?.includes(reason), `return.fee_deducted_for_reasons 里的 ${reason} 不在 reasons 里`);
  return problems;
}

// ---------------------------------------------------------------- sentences that follow the rules

export const CANCEL_METHODS = ["online", "service"];

const quote = (text) => `“${text}”`;

function joinOr(items) {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join("、")}或${items.at(-1)}`;
}

function feeDeducted(rules, reason) {
  return rules.return.fee_deducted_for_reasons.includes(reason);
}

/** Given the rules, return the hint under 退货原因: which reasons bear the international return fee. */
export function reasonHint(rules) {
  const labels = (reasons) => joinOr(reasons.map((x) => quote(rules.reason_labels[x])));
  const deducted = rules.reasons.filter((x) => feeDeducted(rules, x));
  const free = rules.reasons.filter((x) => !feeDeducted(rules, x));
  const parts = [];
  if (deducted.length) parts.push(`选${labels(deducted)}要承担国际退货费用，从退款里直接扣除`);
  if (free.length) parts.push(`选${labels(free)}，帮助中心没有写到要付这笔费用`);
  return `${parts.join("；")}。`;
}

/** Given the rules, return the sentence about money paid when the parcel is picked up. */
export function pickupPaymentSentence(rules) {
  const fen = rules.return.pay_at_pickup_yuan * FEN_PER_YUAN;
  return fen === 0
    ? "配送员上门取件时，你不需要支付任何退货运费。"
    : `配送员上门取件时要付 ${formatYuan(fen)}。`;
}

/** Given the rules, return the sentence about the cancellation fee of an order not yet shipped. */
export function cancelFeeSentence(rules) {
  const fen = rules.cancel.fee_yuan * FEN_PER_YUAN;
  return fen === 0 ? "订单还没有发货，取消不收费。" : `订单还没有发货，取消要付手续费 ${formatYuan(fen)}。`;
}

function refundDelayText(days) {
  return days === 0 ? "当天" : `后第 ${days} 天`;
}

function pickupAssumptionText(rules, pickup) {
  const days = rules.return.assumed_pickup_after_days;
  const when = days === 0 ? "申请当天" : `申请后第 ${days} 天`;
  return `帮助中心没有写上门取件要等几天：你没填取件日期，这里假设在${when}取件，即 ${formatDate(pickup)}。`;
}

function confirmAssumptionText(rules) {
  const days = rules.return.assumed_confirm_after_working_days;
  const when = days === 0 ? "到货当天" : `到货后第 ${days} 个工作日`;
  return `帮助中心没有写库房收到商品后多久确认可以退款：这里假设${when}就确认。`;
}

// ---------------------------------------------------------------- the form's state

/** Given an order state as a link carries it, return the state the rules know it as (old names mapped). */
export function canonicalState(state, rules) {
  const alias = state === "说明" ? undefined : rules.state_aliases?.[state];
  return alias ?? state;
}

/** Given the form's values (strings), return which fields take part in the calculation. */
export function relevantFields(input, rules) {
  const fields = ["state", "action", "paid", "date"];
  const state = canonicalState(input.state, rules);
  if (input.action === "cancel" && rules.cancel.allowed_states.includes(state)) fields.splice(2, 0, "method");
  if (input.action === "return" && rules.return.allowed_states.includes(state)) {
    fields.push("reason", "pickup");
    if (feeDeducted(rules, input.reason)) fields.push("fee");
  }
  return fields;
}

/** Given the form's values, return the query string of a shareable link (relevant, non-empty fields only). */
export function toQuery(input, rules) {
  const params = new URLSearchParams();
  const keep = relevantFields(input, rules);
  for (const field of FIELDS) {
    const value = String(input[field] ?? "").trim();
    if (keep.includes(field) && value !== "") params.set(field, value);
  }
  return params.toString();
}

/** Given a query string, return the form's values it carries (unknown parameters are ignored). */
export function fromQuery(search) {
  const params = new URLSearchParams(search);
  const input = {};
  for (const field of FIELDS) if (params.has(field)) input[field] = params.get(field);
  return input;
}

// ---------------------------------------------------------------- validation

const MONEY_MESSAGES = {
  paid: {
    empty: "请填写实付金额。",
    not_number: "请只填数字，例如 299 或 299.50。",
    negative: "金额不能是负数。",
    decimals: "金额最多两位小数（精确到分）。",
  },
  fee: {
    not_number: "请只填数字，例如 68 或 68.50；不知道金额可以不填。",
    negative: "国际退货费用不能是负数。",
    decimals: "金额最多两位小数（精确到分）。",
  },
};

function checkPaid(text, limits) {
  const parsed = parseYuan(text);
  if (parsed.error) return { error: MONEY_MESSAGES.paid[parsed.error] };
  if (parsed.fen === 0) return { error: "实付金额要大于 0。" };
  if (parsed.fen > limits.max_amount_yuan * FEN_PER_YUAN)
    return { error: `金额超过 ${formatYuan(limits.max_amount_yuan * FEN_PER_YUAN)}，请检查是不是多输了数字。` };
  return parsed;
}

/** Given the rules, the calendar and today's ISO date, return the request dates allowed: { earliest, latest }. */
export function requestDateBounds(rules, calendar, today) {
  const limits = rules.limits;
  return {
    earliest: [addDays(today, -limits.request_max_days_ago), calendar.first].sort().at(-1),
    latest: [addDays(today, limits.request_max_days_ahead), calendar.last].sort()[0],
  };
}

function checkRequestDate(text, rules, calendar, today) {
  if (String(text ?? "").trim() === "") return { error: "请选择申请日期。" };
  const iso = parseDate(text);
  if (!iso) return { error: "请填写有效的日期，例如 2026-11-26。" };
  const { earliest, latest } = requestDateBounds(rules, calendar, today);
  if (iso < earliest) return { error: `日期太早了：最早可以选 ${formatDate(earliest)}。` };
  if (iso > latest) return { error: `日期太远了：最晚可以选 ${formatDate(latest)}。` };
  return { iso };
}

function checkPickup(text, request, limits) {
  if (String(text ?? "").trim() === "") return { iso: null };
  const iso = parseDate(text);
  if (!iso) return { error: "请填写有效的日期，例如 2026-11-28；还不知道可以不填。" };
  if (request && iso < request) return { error: "取件日期不能早于申请日期。" };
  if (request && daysBetween(request, iso) > limits.pickup_max_days_after_request)
    return { error: `取件日期离申请日期超过 ${limits.pickup_max_days_after_request} 天，请检查。` };
  return { iso };
}

/**
 * Given the form's values (strings), the rules, the calendar and today's ISO date, return
 * { errors: {field: message}, values } where values holds the parsed relevant fields.
 */
export function validate(input, rules, calendar, today) {
  const errors = {};
  const values = {};
  const fields = relevantFields(input, rules);
  const state = canonicalState(input.state, rules);
  if (rules.states.includes(state)) values.state = state;
  else errors.state = "请选择订单状态。";
  if (ACTIONS.includes(input.action)) values.action = input.action;
  else errors.action = "请选择要办理的事。";
  if (fields.includes("method")) {
    if (rules.cancel.methods.includes(input.method)) values.method = input.method;
    else errors.method = "请选择怎样取消。";
  }
  const paid = checkPaid(input.paid, rules.limits);
  if (paid.error) errors.paid = paid.error;
  else values.paid = paid.fen;
  const date = checkRequestDate(input.date, rules, calendar, today);
  if (date.error) errors.date = date.error;
  else values.date = date.iso;
  if (fields.includes("reason")) {
    if (rules.reasons.includes(input.reason)) values.reason = input.reason;
    else errors.reason = "请选择退货原因。";
  }
  if (fields.includes("fee") && String(input.fee ?? "").trim() !== "") {
    const fee = parseYuan(input.fee);
    if (fee.error) errors.fee = MONEY_MESSAGES.fee[fee.error];
    else if (values.paid !== undefined && fee.fen > values.paid)
      errors.fee = `国际退货费用不能超过实付金额（${formatYuan(values.paid)}）。`;
    else values.fee = fee.fen;
  }
  if (fields.includes("pickup")) {
    const pickup = checkPickup(input.pickup, values.date, rules.limits);
    if (pickup.error) errors.pickup = pickup.error;
    else values.pickup = pickup.iso;
  }
  return { errors, values };
}

// ---------------------------------------------------------------- the result

const BADGE = { assumed: "假设", average: "预计" };

function calendarNotes(estimatedYears, uncoveredYears) {
  const notes = [];
  if (estimatedYears.length)
    notes.push(
      `${estimatedYears.join("、")} 年的放假安排还没有正式公布：落在这一年的日期按周末和预计的法定节假日估算，公布后可能变化。`,
    );
  if (uncoveredYears.length)
    notes.push(`${uncoveredYears.join("、")} 年不在计算器的日历里：这一年的日期只按周末估算。`);
  return notes;
}

function stepCalendarNote(estimatedYears, uncoveredYears) {
  const years = mergeYears(estimatedYears, uncoveredYears);
  return years.length ? `这个日期用到了 ${years.join("、")} 年的估算日历（放假安排尚未正式公布）。` : "";
}

function mergeYears(...lists) {
  return [...new Set(lists.flat())].sort();
}

/** Given a working-day count's result, return what moved its date: "遇国庆节假期顺延；10月10日（周六）调休上班" or "". */
export function holidayText(count) {
  const parts = [];
  if (count.holidays.length) parts.push(`遇${count.holidays.join("、")}假期顺延`);
  if (count.makeupDays.length)
    parts.push(`${count.makeupDays.map((d) => formatDate(d).slice(5)).join("、")}调休上班`);
  return parts.join("；");
}

function withHolidays(text, count) {
  const moved = holidayText(count);
  return moved ? `${text}，${moved}` : text;
}

function bankStep(faq) {
  return {
    id: "bank",
    title: "到银行卡或可以提现",
    from: null,
    to: null,
    when: "看银行的处理时间",
    badges: [],
    note: "钱退回原支付账户以后，到银行卡要多久取决于银行，各家不同；可以咨询对应银行的客服。",
    faq,
  };
}

/** The next steps once every estimated date is behind today: check the bank, then customer service. */
function overdue(rules, expected) {
  const faq = rules.overdue.faq;
  return {
    message: `按${expected}，钱应该已经退回原支付账户了。还没收到的话：`,
    steps: [
      { text: "先查银行卡或支付账户的记录，到银行卡的时间看银行。", faq: faq.bank },
      { text: "还是没有，请联系客服，提供订单号。", faq: faq.contact },
    ],
  };
}

function cancelResult(values, rules, today) {
  const c = rules.cancel;
  const fee = c.fee_yuan * FEN_PER_YUAN;
  const refund = values.paid - fee;
  const full = refund === values.paid;
  const byService = values.method === "service";
  const delay = refundDelayText(c.refund_after_days);
  const refundDate = byService ? null : addDays(values.date, c.refund_after_days);
  const amount = `${full ? "全额退款 " : "退款 "}${formatYuan(refund)}`;
  const feeText = fee === 0 ? "不收费" : `手续费 ${formatYuan(fee)}`;
  const past = refundDate !== null && refundDate < today;
  const request = byService
    ? {
        id: "request",
        title: "联系客服申请取消",
        from: values.date,
        to: values.date,
        when: `${formatDate(values.date)}（你联系客服的日期）`,
        badges: [],
        note: "打客服电话，或发客服邮件写明订单号、订单详情和取消原因；通常要在发货前办理。",
        faq: c.faq.service,
      }
    : {
        id: "request",
        title: "在订单详情页取消订单",
        from: values.date,
        to: values.date,
        when: formatDate(values.date),
        badges: [],
        note: "点“取消订单”并按提示确认，订单就在这一天取消；通常要在发货前办理。",
        faq: c.faq.request,
      };
  const timeline = [request];
  if (byService)
    timeline.push({
      id: "processed",
      title: "客服办理好取消",
      from: null,
      to: null,
      when: "客服收到后会尽快处理",
      badges: [],
      note: "客服办理好以后订单才算取消，退款从这一天算起；哪天办好要看客服，这里不给日期。",
      faq: c.faq.service,
    });
  timeline.push(
    {
      id: "refund",
      title: "退款退回原支付账户",
      from: refundDate,
      to: refundDate,
      when: byService ? `客服办理好取消的${delay}` : `${formatDate(refundDate)}，取消${delay}`,
      badges: [],
      note: `按平台规则，没发货的订单取消${delay}退回原支付账户。`,
      faq: c.faq.refund,
    },
    bankStep(c.faq.bank),
  );
  let summary;
  if (byService) summary = `取消订单：${feeText}，${amount}，在客服办理好取消的${delay}退回原支付账户；到银行卡的时间看银行。`;
  else if (past) summary = `取消订单：${feeText}，${amount}，按平台规则应在 ${formatDate(refundDate)} 退回原支付账户，这一天已经过去；还没收到的话，先查银行，再联系客服。`;
  else summary = `取消订单：${feeText}，${amount}，按平台规则在取消${delay}（${formatDate(refundDate)}）退回原支付账户；到银行卡的时间看银行。`;
  return {
    action: "cancel",
    possible: true,
    fees: [
      {
        id: "cancel-fee",
        label: "取消手续费",
        value: fee === 0 ? "不收费" : formatYuan(fee),
        note: cancelFeeSentence(rules),
        faq: c.faq.fee,
      },
    ],
    refund: {
      fen: refund,
      text: formatYuan(refund),
      note: full ? "全额退款，退回下单时的原支付账户。" : "退回下单时的原支付账户。",
    },
    timeline,
    assumptions: [],
    notes: [],
    past: past ? overdue(rules, "平台规则") : null,
    estimatedYears: [],
    uncoveredYears: [],
    summary,
  };
}

function returnFees(values, rules) {
  const r = rules.return;
  const label = quote(rules.reason_labels[values.reason]);
  const pickupFen = r.pay_at_pickup_yuan * FEN_PER_YUAN;
  const fees = [
    {
      id: "pickup-fee",
      label: "上门取件时付的钱",
      value: pickupFen === 0 ? "不用付" : formatYuan(pickupFen),
      note: pickupPaymentSentence(rules),
      faq: r.faq.fee,
    },
  ];
  if (!feeDeducted(rules, values.reason)) {
    fees.push({
      id: "shipping-fee",
      label: "国际退货费用",
      value: "帮助中心没有写到这种情况要付",
      note: `退货原因是${label}时，帮助中心没有写到要承担国际退货费用；以申请退货时系统显示的为准。`,
      faq: r.faq.fee,
    });
    return { fees, feeFen: 0 };
  }
  const known = values.fee !== undefined && values.fee !== null;
  const what = `退货原因是${label}，要承担国际退货费用，从退款里直接扣除。申请退货时系统显示的“退货运费”就是这笔钱，不是另外再付一笔`;
  fees.push({
    id: "shipping-fee",
    label: "国际退货费用",
    value: known ? `${formatYuan(values.fee)}，从退款中扣除` : "从退款中扣除，金额看系统显示的“退货运费”",
    note: known
      ? `${what}；这里用的是你填的金额。`
      : `${what}。把系统显示的金额填进上面的“国际退货费用”，就能算出退款金额。`,
    faq: r.faq.fee,
  });
  return { fees, feeFen: known ? values.fee : null };
}

function returnResult(values, rules, calendar, today) {
  const r = rules.return;
  const { fees, feeFen } = returnFees(values, rules);
  const refundFen = feeFen === null ? null : values.paid - feeFen;
  const noticeEnd = addDays(values.date, Math.ceil(r.notice_within_hours / HOURS_PER_DAY));
  const assumed = !values.pickup;
  const pickup = values.pickup ?? addDays(values.date, r.assumed_pickup_after_days);
  const arrival = addWorkingDays(pickup, r.transit_working_days, calendar);
  const confirmed = addWorkingDays(arrival.date, r.assumed_confirm_after_working_days, calendar);
  const first = addWorkingDays(confirmed.date, r.refund_working_days.min, calendar);
  const last = addWorkingDays(confirmed.date, r.refund_working_days.max, calendar);
  const estimatedYears = mergeYears(arrival.estimatedYears, confirmed.estimatedYears, last.estimatedYears);
  const uncoveredYears = mergeYears(arrival.uncoveredYears, confirmed.uncoveredYears, last.uncoveredYears);
  const refundRange = formatRange(first.date, last.date);
  const refundText = refundFen === null ? `${formatYuan(values.paid)} 减去系统显示的国际退货费用` : formatYuan(refundFen);
  const rw = r.refund_working_days;
  // What moved the refund dates: the days counted after the (assumed) confirmation.
  const refundMoves = {
    holidays: mergeHolidays(confirmed, last),
    makeupDays: [...confirmed.makeupDays, ...last.makeupDays],
  };
  const refundEstimated = mergeYears(confirmed.estimatedYears, last.estimatedYears);
  const refundUncovered = mergeYears(confirmed.uncoveredYears, last.uncoveredYears);
  const pickupPayment = pickupPaymentSentence(rules);
  const pickupAssumption = pickupAssumptionText(rules, pickup);
  const confirmAssumption = confirmAssumptionText(rules);
  const timeline = [
    {
      id: "request",
      title: "提交退货申请",
      from: values.date,
      to: values.date,
      when: formatDate(values.date),
      badges: [],
      note: "在“我的订单”里选择订单，点“需要退换货”，选好数量和原因后提交。",
      faq: r.faq.request,
    },
    {
      id: "notice",
      title: `收到${r.carrier}的通知`,
      from: values.date,
      to: noticeEnd,
      when: `提交后 ${r.notice_within_hours} 小时内：${formatRange(values.date, noticeEnd)}`,
      badges: [],
      note: `亚马逊授权的承运商${r.carrier}会通过邮件或短信通知你上传清关信息。`,
      faq: r.faq.notice,
    },
    {
      id: "upload",
      title: "上传清关信息",
      from: values.date,
      to: noticeEnd,
      when: "收到通知后尽快上传",
      badges: [],
      note: `按通知到${r.carrier}官网上传身份证等清关信息；信息准确有效后才会安排上门取件。`,
      faq: r.faq.upload,
    },
    {
      id: "pickup",
      title: "配送员上门取件",
      from: pickup,
      to: pickup,
      when: assumed ? `${formatDate(pickup)}（假设）` : `${formatDate(pickup)}（你填的日期）`,
      badges: assumed ? [BADGE.assumed] : [],
      note: assumed
        ? `${pickupAssumption}和配送员约好日期后填进上面的“上门取件日期”，后面的日期会跟着更新。取件前请自己包装好商品；${pickupPayment}`
        : `取件前请自己包装好商品（配送员不提供包装）；${pickupPayment}`,
      faq: r.faq.pickup,
    },
    {
      id: "transit",
      title: "运回亚马逊海外库房",
      from: arrival.date,
      to: arrival.date,
      when: withHolidays(`${formatDate(arrival.date)} 前后`, arrival),
      badges: assumed ? [BADGE.average, BADGE.assumed] : [BADGE.average],
      note: `从中国运回海外库房平均 ${r.transit_working_days} 个工作日（从取件第二天算起，不含周末和法定节假日，含调休上班日）；这是平均时间，可能更晚。${assumed ? "取件日期是假设的。" : ""}`,
      faq: r.faq.transit,
      holidays: arrival.holidays,
      estimatedYears: arrival.estimatedYears,
      uncoveredYears: arrival.uncoveredYears,
      calendarNote: stepCalendarNote(arrival.estimatedYears, arrival.uncoveredYears),
    },
    {
      id: "refund",
      title: "库房确认后退款到原支付账户",
      from: first.date,
      to: last.date,
      when: withHolidays(refundRange, refundMoves),
      badges: [BADGE.average, BADGE.assumed],
      note: `库房收到商品并确认符合退货条款后安排退款，从确认可以退款起平均 ${rw.min}–${rw.max} 个工作日退回原支付账户；这是平均时间，可能更晚。${confirmAssumption}`,
      faq: r.faq.refund,
      holidays: refundMoves.holidays,
      estimatedYears: refundEstimated,
      uncoveredYears: refundUncovered,
      calendarNote: stepCalendarNote(refundEstimated, refundUncovered),
    },
    bankStep(r.faq.bank),
  ];
  const assumptions = [...(assumed ? [pickupAssumption] : []), confirmAssumption];
  const notes = calendarNotes(estimatedYears, uncoveredYears);
  const past = last.date < today;
  if (!past && first.date < today)
    notes.push(`预计范围里最早的日期（${formatDate(first.date)}）已经过去；到 ${formatDate(last.date)} 还没收到的话，先查银行，再联系客服。`);
  const money = refundFen === null ? `退款为 ${refundText}` : `退款 ${refundText}`;
  const basis = assumed ? "按平均时间和假设的取件日期估算" : "按平均时间估算";
  const summary = past
    ? `退货：${money}，${basis}，应在 ${refundRange} 退回原支付账户，这些日期已经过去；还没收到的话，先查银行，再联系客服。`
    : `退货：${money}，${basis}，约在 ${refundRange} 退回原支付账户，可能更晚；到银行卡的时间看银行。`;
  return {
    action: "return",
    possible: true,
    fees,
    refund: {
      fen: refundFen,
      text: refundText,
      note:
        refundFen === null
          ? "国际退货费用以系统显示为准，所以这里不给出具体数字。退款退回下单时的原支付账户。"
          : "以申请退货时系统显示的预估退款总计为准。退款退回下单时的原支付账户。",
    },
    timeline,
    assumptions,
    notes,
    past: past ? overdue(rules, "平均时间") : null,
    estimatedYears,
    uncoveredYears,
    summary,
  };
}

function mergeHolidays(...counts) {
  return [...new Set(counts.flatMap((c) => c.holidays))];
}

function notAllowed(values, rules) {
  if (values.action === "cancel")
    return {
      action: "cancel",
      possible: false,
      message: "订单一旦发货，就不能再取消了。不想要这件商品，可以申请退货。",
      switchTo: "return",
      faq: rules.cancel.faq.not_allowed,
      summary: "订单已经发货，不能再取消；可以改为计算退货。",
    };
  const free = rules.cancel.fee_yuan === 0 ? "不收费、" : "";
  return {
    action: "return",
    possible: false,
    message: `订单还没有发货，不用退货：通常可以直接取消订单，${free}全额退款。`,
    switchTo: "cancel",
    faq: rules.return.faq.not_allowed,
    summary: "订单还没有发货，不用退货；可以改为计算取消订单。",
  };
}

/**
 * Given the form's values (strings), the rules, the calendar and today's ISO date, return
 * { valid: false, errors } or { valid: true, possible, fees, refund, timeline, assumptions, notes,
 * past, summary, … }. `summary` carries its caveat in the same sentence; `past` is set when every
 * estimated date is before today.
 */
export function calculate(input, rules, calendar, today) {
  const { errors, values } = validate(input, rules, calendar, today);
  if (Object.keys(errors).length) return { valid: false, errors };
  const allowed = rules[values.action].allowed_states.includes(values.state);
  if (!allowed) return { valid: true, ...notAllowed(values, rules) };
  const result =
    values.action === "cancel" ? cancelResult(values, rules, today) : returnResult(values, rules, calendar, today);
  return { valid: true, ...result };
}
