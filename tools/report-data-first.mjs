// Makes the single-file Allure report wait for the data embedded in it.
//
// Allure 3's single-file index.html runs the app script before the (large) script that embeds the
// report data; when the app asks for data before that script has been parsed, it sees no embedded
// data, fetches widgets/*.json from disk instead, the browser refuses (file://), and the page stays
// empty. Declaring the data store first makes the app always wait for the embedded data.
import { readFileSync, writeFileSync } from "node:fs";

const DECLARE_STORE = "<script>window.allureReportData = window.allureReportData || {};</script>";
const report = process.argv[2] ?? "reports/allure-report/index.html";

const html = readFileSync(report, "utf8");
if (!html.includes("window.allureReportData")) {
  console.error(`${report}: no embedded report data: is the awesome plugin's singleFile option on?`);
  process.exit(1);
}
if (!html.includes("<head>")) {
  console.error(`${report}: no <head> to put the data store in: has Allure's page template changed?`);
  process.exit(1);
}
if (!html.includes(DECLARE_STORE)) {
  writeFileSync(report, html.replace("<head>", `<head>\n    ${DECLARE_STORE}`));
}
