// Allure 3 configuration for `npm run report`: one self-contained HTML file that opens from disk.
// The failure categories come from the run itself (common/report/metadata.py writes categories.json
// into the results), so the rules live once, in Python, next to the messages they match.
import { existsSync, readFileSync } from "node:fs";
import { defineConfig } from "allure";

const resultsDir = "./reports/allure-results";
const categoriesFile = `${resultsDir}/categories.json`;

export default defineConfig({
  name: "dingtalk-apitest",
  resultsDir,
  output: "./reports/allure-report",
  historyPath: "./reports/history.jsonl",
  categories: existsSync(categoriesFile) ? JSON.parse(readFileSync(categoriesFile, "utf8")) : undefined,
  plugins: {
    awesome: {
      options: {
        singleFile: true,
        reportLanguage: "en",
        groupBy: ["epic", "story"],
      },
    },
  },
});
