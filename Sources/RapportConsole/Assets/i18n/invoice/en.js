// English messages of invoicing a deal (components/deal-invoice.js): the action on a deal's page and
// its form. Loaded with it (i18n.js loadMessages). Keys are shared with zh-CN.js (scripts/browser/check_catalogs.mjs).
export default {
  'invoice.action': "Invoice this deal",
  'invoice.title': "Invoice this deal",
  'invoice.intro': "The invoice gets a line for each line of the deal, its discount taken off the price; the server computes the tax and the totals.",
  'invoice.notWon': "Only a won deal can be invoiced.",
  'invoice.number': "Invoice number",
  'invoice.numberHint': "Leave empty for the next number of the year's series.",
  'invoice.issuedOn': "Issued on",
  'invoice.issuedOnHint': "Leave empty for today.",
  'invoice.paymentDays': "Days to pay",
  'invoice.paymentDaysHint': "From the day it is issued to the day it is due: 0 to 365.",
  'invoice.create': "Create the invoice",
  'invoice.creating': "Creating the invoice…",
  'invoice.refused': "This deal cannot be invoiced: {detail}",
  'invoice.openStanding': "Open the invoice",
  'invoice.badNumber': "Use at most {max} characters.",
  'invoice.badDate': "Enter a date such as 2026-12-31.",
  'invoice.badDays': "Enter a whole number of days from 0 to 365.",
};
