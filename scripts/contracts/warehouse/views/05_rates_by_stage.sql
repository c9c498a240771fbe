-- Partial-success and failure rates by stage (its index and run mode), over executed runs: a stage run fails when every workflow in it that ran failed, and partly succeeds when some failed and some executed.
CREATE OR REPLACE VIEW rates_by_stage AS
WITH stage_runs AS (
    SELECT file, line, stage_index, run_mode,
           count(*) FILTER (WHERE status = 'failed') AS failed,
           count(*) FILTER (WHERE status = 'executed') AS executed
    FROM workflow_runs
    WHERE run_status = 'executed'
    GROUP BY file, line, stage_index, run_mode
)
SELECT stage_index, run_mode, count(*) AS stage_runs,
       round(count(*) FILTER (WHERE failed > 0 AND executed = 0) / count(*), 3) AS failure_rate,
       round(count(*) FILTER (WHERE failed > 0 AND executed > 0) / count(*), 3) AS partial_success_rate
FROM stage_runs
GROUP BY stage_index, run_mode
ORDER BY stage_index, run_mode;
