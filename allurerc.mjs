// Allure 3 configuration for `npm run report`: one self-contained HTML file that opens from disk, in Chinese.
// The failure categories come from the run itself (common/report/metadata.py writes categories.json
// into the results), so the rules live once, in Python, next to the messages they match.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { defineConfig } from "allure";

const resultsDir = "./reports/allure-results";
const historyPath = "./reports/history.jsonl";
const categoriesFile = `${resultsDir}/categories.json`;

// The trend: each report adds its run to historyPath, which later reports read (CI carries the file from run to
// run). A report built again on the same results must not count that run twice: Allure 3 names each result of a
// history entry md5(its uuid), so an entry holding any of these results is this run's earlier report, dropped here
// (Allure appends the run again).
function forgetThisRun() {
  if (!existsSync(historyPath) || !existsSync(resultsDir)) {
    return;
  }
  const ids = new Set();
  for (const file of readdirSync(resultsDir)) {
    if (file.endsWith("-result.json")) {
      try {
        const { uuid } = JSON.parse(readFileSync(`${resultsDir}/${file}`, "utf8"));
        if (uuid) ids.add(createHash("md5").update(uuid).digest("hex"));
      } catch {
        // an unreadable result is not part of any history entry
      }
    }
  }
  const lines = readFileSync(historyPath, "utf8").split("\n").filter((line) => line.trim());
  const kept = lines.filter((line) => {
    try {
      return !Object.values(JSON.parse(line).testResults ?? {}).some((result) => ids.has(result.id));
    } catch {
      return true;
    }
  });
  if (kept.length !== lines.length) {
    writeFileSync(historyPath, kept.map((line) => `${line}\n`).join(""));
  }
}

forgetThisRun();

export default defineConfig({
  name: "dingtalk-apitest",
  resultsDir,
  output: "./reports/allure-report",
  historyPath,
  historyLimit: 100, // runs kept in the trend (and in the CI cache)
  // pytest's plumbing, not the case's: the cases are grouped by epic (API group) and story (endpoint)
  hideLabels: ["parentSuite", "suite", "subSuite", "package", "framework", "language"],
  categories: existsSync(categoriesFile) ? JSON.parse(readFileSync(categoriesFile, "utf8")) : undefined,
  plugins: {
    awesome: {
      options: {
        singleFile: true,
        reportLanguage: "zh",
        groupBy: ["epic", "story"],
        charts: [
          { type: "currentStatus", title: "当前状态" },
          { type: "statusDynamics", title: "状态趋势（历次运行）" },
          { type: "statusTransitions", title: "与上次运行相比的状态变化" },
          { type: "testBaseGrowthDynamics", title: "用例数量趋势" },
          { type: "durationDynamics", title: "耗时趋势" },
          {
            type: "testResultSeverities",
            title: "各严重程度的结果",
            levels: ["blocker", "critical", "normal", "minor", "trivial"],
            statuses: ["passed", "failed", "broken", "skipped", "unknown"],
            includeUnset: true,
          },
          { type: "stabilityDistribution", title: "各 API 分组的稳定性", skipStatuses: ["skipped", "unknown"], threshold: 90, groupBy: "epic" },
          { type: "stabilityDistribution", title: "各接口的稳定性", skipStatuses: ["skipped", "unknown"], threshold: 90, groupBy: "story" },
          { type: "durations", title: "耗时分布", groupBy: "none" },
        ],
      },
    },
  },
});
