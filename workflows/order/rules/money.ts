// Money rules: integer minor units only. Pure and deterministic, so the workflow sandbox can
// run them; nothing here touches floats for amounts, the clock or any I/O.

/**
 * ISO 4217 active currency codes and their minor-unit exponent. Left out on purpose: fund
 * codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW), precious metals, SDR and testing codes
 * (X-codes other than real currencies), because nobody is invoiced in them; and codes
 * already withdrawn (HRK 2023, SLL, ZWL 2024, ANG 2025 replaced by XCG, BGN 2026 replaced by
 * EUR, CUC). This list validates currencies at the API, so a retired code is refused.
 */
export const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = Object.freeze({
  AED: 2, AFN: 2, ALL: 2, AMD: 2, AOA: 2, ARS: 2, AUD: 2, AWG: 2, AZN: 2,
  BAM: 2, BBD: 2, BDT: 2, BHD: 3, BIF: 0, BMD: 2, BND: 2, BOB: 2, BRL: 2, BSD: 2,
  BTN: 2, BWP: 2, BYN: 2, BZD: 2,
  CAD: 2, CDF: 2, CHF: 2, CLP: 0, CNY: 2, COP: 2, CRC: 2, CUP: 2, CVE: 2, CZK: 2,
  DJF: 0, DKK: 2, DOP: 2, DZD: 2,
  EGP: 2, ERN: 2, ETB: 2, EUR: 2,
  FJD: 2, FKP: 2,
  GBP: 2, GEL: 2, GHS: 2, GIP: 2, GMD: 2, GNF: 0, GTQ: 2, GYD: 2,
  HKD: 2, HNL: 2, HTG: 2, HUF: 2,
  IDR: 2, ILS: 2, INR: 2, IQD: 3, IRR: 2, ISK: 0,
  JMD: 2, JOD: 3, JPY: 0,
  KES: 2, KGS: 2, KHR: 2, KMF: 0, KPW: 2, KRW: 0, KWD: 3, KYD: 2, KZT: 2,
  LAK: 2, LBP: 2, LKR: 2, LRD: 2, LSL: 2, LYD: 3,
  MAD: 2, MDL: 2, MGA: 2, MKD: 2, MMK: 2, MNT: 2, MOP: 2, MRU: 2, MUR: 2, MVR: 2,
  MWK: 2, MXN: 2, MYR: 2, MZN: 2,
  NAD: 2, NGN: 2, NIO: 2, NOK: 2, NPR: 2, NZD: 2,
  OMR: 3,
  PAB: 2, PEN: 2, PGK: 2, PHP: 2, PKR: 2, PLN: 2, PYG: 0,
  QAR: 2,
  RON: 2, RSD: 2, RUB: 2, RWF: 0,
  SAR: 2, SBD: 2, SCR: 2, SDG: 2, SEK: 2, SGD: 2, SHP: 2, SLE: 2, SOS: 2, SRD: 2,
  SSP: 2, STN: 2, SVC: 2, SYP: 2, SZL: 2,
  THB: 2, TJS: 2, TMT: 2, TND: 3, TOP: 2, TRY: 2, TTD: 2, TWD: 2, TZS: 2,
  UAH: 2, UGX: 0, USD: 2, UYU: 2, UZS: 2,
  VED: 2, VES: 2, VND: 0, VUV: 0,
  WST: 2,
  XAF: 0, XCD: 2, XCG: 2, XOF: 0, XPF: 0,
  YER: 2,
  ZAR: 2, ZMW: 2, ZWG: 2,
});

export function isKnownCurrency(code: string): boolean {
  // hasOwn, not `in`: 'toString' or 'constructor' must not pass as a currency.
  return typeof code === 'string' && Object.hasOwn(CURRENCY_EXPONENTS, code);
}

/** Throws unless the amount is a safe integer ≥ 0 (a count of minor units). */
export function assertMinor(amountMinor: number, what = 'amount'): void {
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer of minor units, got ${String(amountMinor)}`);
  }
}

/** Like assertMinor but negatives are allowed (differences, refunds shown to people). */
function assertSignedMinor(amountMinor: number, what: string): void {
  if (!Number.isSafeInteger(amountMinor)) {
    throw new RangeError(`${what} must be a safe integer of minor units, got ${String(amountMinor)}`);
  }
}

function exponentOf(currency: string): number {
  if (!isKnownCurrency(currency)) throw new RangeError(`unknown currency code: ${String(currency)}`);
  return CURRENCY_EXPONENTS[currency] as number;
}

/** 'USD 1,250.00', 'JPY 5', 'EUR -12.34', 'KWD 1,234.567': string arithmetic, never division by 10^n. */
export function formatMoney(amountMinor: number, currency: string): string {
  assertSignedMinor(amountMinor, 'amount');
  const exponent = exponentOf(currency);
  const negative = amountMinor < 0;
  const digits = String(Math.abs(amountMinor)).padStart(exponent + 1, '0');
  const major = digits.slice(0, digits.length - exponent);
  const minor = digits.slice(digits.length - exponent);
  const grouped = major.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${currency} ${negative ? '-' : ''}${grouped}${exponent > 0 ? `.${minor}` : ''}`;
}

/** quantity × unit price; refuses a product that is no longer exact in a double. */
export function lineAmountMinor(quantity: number, unitPriceMinor: number): number {
  if (!Number.isSafeInteger(quantity) || quantity < 0) {
    throw new RangeError(`quantity must be a non-negative safe integer, got ${String(quantity)}`);
  }
  assertMinor(unitPriceMinor, 'unit price');
  const amount = quantity * unitPriceMinor;
  // An inexact product lands at or above 2^53, so this also catches lost precision.
  if (!Number.isSafeInteger(amount)) {
    throw new RangeError(`line amount ${quantity} × ${unitPriceMinor} exceeds the safe integer range`);
  }
  return amount;
}

/**
 * net × rateBps / 10000, rounded half away from zero. BigInt keeps the intermediate product
 * exact however large the net; BigInt is deterministic, so it is fine in the sandbox.
 */
export function taxMinor(netMinor: number, rateBps: number): number {
  assertSignedMinor(netMinor, 'net amount');
  if (!Number.isSafeInteger(rateBps) || rateBps < 0) {
    throw new RangeError(`tax rate must be a non-negative integer of basis points, got ${String(rateBps)}`);
  }
  const magnitude = (BigInt(Math.abs(netMinor)) * BigInt(rateBps) + 5000n) / 10000n;
  const tax = Number(netMinor < 0 ? -magnitude : magnitude);
  if (!Number.isSafeInteger(tax)) {
    throw new RangeError(`tax on ${netMinor} at ${rateBps} bps exceeds the safe integer range`);
  }
  // Avoid -0 for a zero tax on a negative net.
  return tax === 0 ? 0 : tax;
}
