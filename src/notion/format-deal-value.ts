// Notion's currency number formats (every one its docs list), by ISO 4217 code.
const CURRENCIES: Record<string, string> = {
  dollar: "USD",
  australian_dollar: "AUD",
  canadian_dollar: "CAD",
  singapore_dollar: "SGD",
  euro: "EUR",
  pound: "GBP",
  yen: "JPY",
  ruble: "RUB",
  rupee: "INR",
  won: "KRW",
  yuan: "CNY",
  real: "BRL",
  lira: "TRY",
  rupiah: "IDR",
  franc: "CHF",
  hong_kong_dollar: "HKD",
  new_zealand_dollar: "NZD",
  krona: "SEK",
  norwegian_krone: "NOK",
  mexican_peso: "MXN",
  rand: "ZAR",
  new_taiwan_dollar: "TWD",
  danish_krone: "DKK",
  zloty: "PLN",
  baht: "THB",
  forint: "HUF",
  koruna: "CZK",
  shekel: "ILS",
  chilean_peso: "CLP",
  philippine_peso: "PHP",
  dirham: "AED",
  colombian_peso: "COP",
  riyal: "SAR",
  ringgit: "MYR",
  leu: "RON",
  argentine_peso: "ARS",
  uruguayan_peso: "UYU",
  peruvian_sol: "PEN",
};

/** A deal's Value as the Deals database formats it ("$12,000"), or "no value". */
export function formatDealValue(value: number | undefined, notionFormat = "dollar"): string {
  if (value === undefined) return "no value";
  const currency = CURRENCIES[notionFormat];
  if (currency !== undefined) return formatCurrency(value, currency);
  if (notionFormat === "percent")
    return new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 2 }).format(value);
  return new Intl.NumberFormat("en-US", { maximumFractionDigits: 2, useGrouping: notionFormat !== "number" }).format(
    value,
  );
}

// Where Intl's English names a currency by its code and its narrow symbol is a bare "$", the symbol locals use.
const LOCAL_SYMBOLS: Record<string, string> = { SGD: "S$", CLP: "CLP$", COP: "COL$", ARS: "AR$", UYU: "$U", PEN: "S/" };

/** With the currency's symbol ("A$12,000", "₽12,000", "S/12,000"); its ISO code only when it has none. */
function formatCurrency(value: number, currency: string): string {
  const digits = { maximumFractionDigits: Number.isInteger(value) ? 0 : 2 };
  const local = LOCAL_SYMBOLS[currency];
  if (local !== undefined) {
    const amount = new Intl.NumberFormat("en-US", { ...digits, minimumFractionDigits: digits.maximumFractionDigits });
    return `${value < 0 ? "-" : ""}${local}${amount.format(Math.abs(value))}`;
  }
  const format = (currencyDisplay: "symbol" | "narrowSymbol") =>
    new Intl.NumberFormat("en-US", { style: "currency", currency, currencyDisplay, ...digits }).format(value);
  const symbol = format("symbol");
  if (!symbol.includes(currency)) return symbol;
  const narrow = format("narrowSymbol");
  return narrow.includes(currency) || narrow.includes("$") ? symbol : narrow;
}
