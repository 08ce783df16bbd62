// 费用与退款日期计算器：纯计算函数（不碰页面、不读时钟、没有全局状态）。
// Pure functions for the fee and refund-date calculator. Every rule comes from the rules data
// (docs/tools/calculator-rules.json) and every working day from the calendar data
// (tools/workdays.json, generated at build time); both are passed in as arguments.
// Dates are ISO strings "YYYY-MM-DD"; money is an integer number of fen (分).

export const FIELDS = ["state", "action", "reason", "paid", "fee", "date", "pickup"];
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

/**
 * Given an ISO date, a number of working days and the calendar, return the date of the n-th
 * working day after it (the start day itself never counts) and the years whose schedule the
 * count relied on without it being official: { date, estimatedYears, uncoveredYears }.
 */
export function addWorkingDays(iso, count, calendar) {
  const estimated = new Set();
  const uncovered = new Set();
  let day = iso;
  let left = count;
  while (left > 0) {
    day = addDays(day, 1);
    const info = dayInfo(day, calendar);
    const year = Number(day.slice(0, 4));
    if (info.status === "estimated") estimated.add(year);
    if (info.status === "uncovered") uncovered.add(year);
    if (info.working) left -= 1;
  }
  return { date: day, estimatedYears: [...estimated].sort(), uncoveredYears: [...uncovered].sort() };
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
  need(Array.isArray(c.allowed_states), "cancel.allowed_states 要是列表");
  need(isCount(c.fee_yuan), "cancel.fee_yuan 要是不小于 0 的整数");
  need(isCount(c.refund_after_days), "cancel.refund_after_days 要是不小于 0 的整数");
  need(Array.isArray(r.allowed_states), "return.allowed_states 要是列表");
  need(isCount(r.notice_within_hours), "return.notice_within_hours 要是不小于 0 的整数");
  need(isCount(r.assumed_pickup_after_days), "return.assumed_pickup_after_days 要是不小于 0 的整数");
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

// ---------------------------------------------------------------- the form's state

/** Given the form's values (strings), return which fields take part in the calculation. */
export function relevantFields(input, rules) {
  const fields = ["state", "action", "paid", "date"];
  if (input.action === "return" && rules.return.allowed_states.includes(input.state)) {
    fields.push("reason", "pickup");
    if (rules.return.fee_deducted_for_reasons.includes(input.reason)) fields.push("fee");
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
  if (rules.states.includes(input.state)) values.state = input.state;
  else errors.state = "请选择订单状态。";
  if (ACTIONS.includes(input.action)) values.action = input.action;
  else errors.action = "请选择要办理的事。";
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

const BANK_STEP = {
  id: "bank",
  title: "到银行卡或可以提现",
  from: null,
  to: null,
  when: "看银行的处理时间",
  estimate: false,
  note: "钱退回原支付账户以后，到银行卡要多久取决于银行，各家不同；可以咨询对应银行的客服。",
};

function cancelResult(values, rules) {
  const c = rules.cancel;
  const refundDate = addDays(values.date, c.refund_after_days);
  const fee = c.fee_yuan * FEN_PER_YUAN;
  const refund = values.paid - fee;
  const sameDay = c.refund_after_days === 0;
  return {
    action: "cancel",
    possible: true,
    fees: [
      {
        id: "cancel-fee",
        label: "取消手续费",
        value: fee === 0 ? "不收费（¥0.00）" : formatYuan(fee),
        note: "订单还没有发货，取消不收费。",
        faq: c.faq.fee,
      },
    ],
    refund: {
      fen: refund,
      text: formatYuan(refund),
      note: refund === values.paid ? "全额退款，退回下单时的原支付账户。" : "退回下单时的原支付账户。",
    },
    timeline: [
      {
        id: "request",
        title: "取消订单",
        from: values.date,
        to: values.date,
        when: formatDate(values.date),
        estimate: false,
        note: "在订单详情页点“取消订单”，或请客服帮你取消；要在发货前办理。",
        faq: c.faq.request,
      },
      {
        id: "refund",
        title: "退款退回原支付账户",
        from: refundDate,
        to: refundDate,
        when: sameDay ? `${formatDate(refundDate)}，当天` : formatDate(refundDate),
        estimate: false,
        note: sameDay ? "按平台规则，未发货的订单取消后，钱当天退回原支付账户。" : "按平台规则退回原支付账户。",
        faq: c.faq.refund,
      },
      { ...BANK_STEP, faq: c.faq.bank },
    ],
    notes: [],
    estimatedYears: [],
    uncoveredYears: [],
    summary: `取消订单：${fee === 0 ? "不收费，" : ""}退款 ${formatYuan(refund)}，${formatDate(refundDate)}${sameDay ? "当天" : ""}退回原支付账户；到银行卡的时间看银行。`,
  };
}

function returnFees(values, rules) {
  const r = rules.return;
  const deducted = r.fee_deducted_for_reasons.includes(values.reason);
  const fees = [
    {
      id: "pickup-fee",
      label: "上门取件时付的钱",
      value: r.pay_at_pickup_yuan === 0 ? "不用付（¥0.00）" : formatYuan(r.pay_at_pickup_yuan * FEN_PER_YUAN),
      note: "配送员上门取件时，你不需要支付任何退货运费。",
      faq: r.faq.fee,
    },
  ];
  if (!deducted) {
    fees.push({
      id: "shipping-fee",
      label: "国际退货费用",
      value: "不扣（¥0.00）",
      note: "因商品质量问题退货，不扣国际退货费用。",
      faq: r.faq.fee,
    });
    return { fees, feeFen: 0 };
  }
  const known = values.fee !== undefined && values.fee !== null;
  fees.push({
    id: "shipping-fee",
    label: "国际退货费用",
    value: known ? `${formatYuan(values.fee)}，从退款中扣除` : "从退款中扣除，金额以系统显示为准",
    note: known
      ? "不是因为商品质量问题退货，要承担国际退货费用；这里用的是你填的金额，以申请退货时系统显示的为准。"
      : "不是因为商品质量问题退货，要承担国际退货费用。具体金额在申请退货时系统会显示，本页不估算；把系统显示的金额填进上面的“国际退货费用”，就能算出退款金额。",
    faq: r.faq.fee,
  });
  return { fees, feeFen: known ? values.fee : null };
}

function returnResult(values, rules, calendar) {
  const r = rules.return;
  const { fees, feeFen } = returnFees(values, rules);
  const refundFen = feeFen === null ? null : values.paid - feeFen;
  const noticeEnd = addDays(values.date, Math.ceil(r.notice_within_hours / HOURS_PER_DAY));
  const assumed = !values.pickup;
  const pickup = values.pickup ?? addDays(values.date, r.assumed_pickup_after_days);
  const arrival = addWorkingDays(pickup, r.transit_working_days, calendar);
  const first = addWorkingDays(arrival.date, r.refund_working_days.min, calendar);
  const last = addWorkingDays(arrival.date, r.refund_working_days.max, calendar);
  const estimatedYears = mergeYears(arrival.estimatedYears, last.estimatedYears);
  const uncoveredYears = mergeYears(arrival.uncoveredYears, last.uncoveredYears);
  const refundRange = formatRange(first.date, last.date);
  const refundText = refundFen === null ? `${formatYuan(values.paid)} 减去系统显示的国际退货费用` : formatYuan(refundFen);
  const rw = r.refund_working_days;
  const timeline = [
    {
      id: "request",
      title: "提交退货申请",
      from: values.date,
      to: values.date,
      when: formatDate(values.date),
      estimate: false,
      note: "在“我的订单”里选择订单，点“需要退换货”，选好数量和原因后提交。",
      faq: r.faq.request,
    },
    {
      id: "notice",
      title: "收到易客满的通知",
      from: values.date,
      to: noticeEnd,
      when: `提交后 ${r.notice_within_hours} 小时内：${formatRange(values.date, noticeEnd)}`,
      estimate: false,
      note: "亚马逊授权的承运商易客满会通过邮件或短信通知你上传清关信息。",
      faq: r.faq.notice,
    },
    {
      id: "upload",
      title: "上传清关信息",
      from: values.date,
      to: noticeEnd,
      when: "收到通知后尽快上传",
      estimate: false,
      note: "按通知到易客满官网上传身份证等清关信息；信息准确有效后才会安排上门取件。",
      faq: r.faq.upload,
    },
    {
      id: "pickup",
      title: "配送员上门取件",
      from: pickup,
      to: pickup,
      when: assumed ? `假设最早 ${formatDate(pickup)}` : `${formatDate(pickup)}（你填的日期）`,
      estimate: assumed,
      assumed,
      note: assumed
        ? "还不知道哪天取件，这里假设最早在这一天；约好日期后填进上面的“上门取件日期”，后面的日期会跟着更新。取件前请自己包装好商品，取件时不用付钱。"
        : "取件前请自己包装好商品（配送员不提供包装），取件时不用付钱。",
      faq: r.faq.pickup,
    },
    {
      id: "transit",
      title: "运回亚马逊海外库房",
      from: arrival.date,
      to: arrival.date,
      when: `预计 ${formatDate(arrival.date)} 前后`,
      estimate: true,
      note: `从中国运回海外库房平均约 ${r.transit_working_days} 个工作日（从取件第二天算起，不含周末和法定节假日，含调休上班日）；这是平均时间，不是承诺。`,
      faq: r.faq.transit,
      estimatedYears: arrival.estimatedYears,
      uncoveredYears: arrival.uncoveredYears,
      calendarNote: stepCalendarNote(arrival.estimatedYears, arrival.uncoveredYears),
    },
    {
      id: "refund",
      title: "库房确认后退款到原支付账户",
      from: first.date,
      to: last.date,
      when: `预计 ${refundRange}`,
      estimate: true,
      note: `库房收到商品并确认符合退货条款后安排退款，处理平均 ${rw.min}–${rw.max} 个工作日，退回原支付账户；这里按库房到货当天确认来估算。`,
      faq: r.faq.refund,
      estimatedYears: last.estimatedYears,
      uncoveredYears: last.uncoveredYears,
      calendarNote: stepCalendarNote(last.estimatedYears, last.uncoveredYears),
    },
    { ...BANK_STEP, faq: r.faq.bank },
  ];
  const notes = [];
  if (assumed) notes.push(`还没填上门取件日期：下面假设最早在 ${formatDate(pickup)} 取件。`);
  notes.push(...calendarNotes(estimatedYears, uncoveredYears));
  const refundVerb = refundFen === null ? "退款为" : "预计退款";
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
    notes,
    estimatedYears,
    uncoveredYears,
    summary: `退货：${refundVerb} ${refundText}，预计 ${refundRange} 退回原支付账户；到银行卡的时间看银行。`,
  };
}

function notAllowed(values, rules) {
  if (values.action === "cancel")
    return {
      action: "cancel",
      possible: false,
      message: "订单已经发货，不能再取消了。收到商品后可以申请退货。",
      switchTo: "return",
      faq: rules.cancel.faq.not_allowed,
      summary: "订单已经发货，不能再取消；可以改为计算退货。",
    };
  return {
    action: "return",
    possible: false,
    message: "订单还没有发货，不用退货：可以直接取消订单，不收费、全额退款。",
    switchTo: "cancel",
    faq: rules.return.faq.not_allowed,
    summary: "订单还没有发货，不用退货；可以改为计算取消订单。",
  };
}

/**
 * Given the form's values (strings), the rules, the calendar and today's ISO date, return
 * { valid: false, errors } or { valid: true, possible, fees, refund, timeline, notes, summary, … }.
 */
export function calculate(input, rules, calendar, today) {
  const { errors, values } = validate(input, rules, calendar, today);
  if (Object.keys(errors).length) return { valid: false, errors };
  const allowed = rules[values.action].allowed_states.includes(values.state);
  if (!allowed) return { valid: true, ...notAllowed(values, rules) };
  const result = values.action === "cancel" ? cancelResult(values, rules) : returnResult(values, rules, calendar);
  return { valid: true, ...result };
}
