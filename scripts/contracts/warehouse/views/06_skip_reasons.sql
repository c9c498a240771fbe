-- Why runs were skipped: summaries with status `skipped`, by skip reason and preview setting.
CREATE OR REPLACE VIEW skip_reasons AS
SELECT skip_reason, preview_only, count(*) AS summaries
FROM execution_summary_v1
WHERE status = 'skipped'
GROUP BY skip_reason, preview_only
ORDER BY summaries DESC, skip_reason;
