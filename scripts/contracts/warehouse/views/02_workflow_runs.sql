-- One row per workflow run: the summaries' stage runs and their workflows, unnested, with the run's status.
CREATE OR REPLACE VIEW workflow_runs AS
SELECT s.plan_id, s.issue_number, s.status AS run_status, s.allow_partial_success,
       r."index" AS stage_index, r.run_mode, w.workflow_name, w.status, w.message,
       s.file, s.line
FROM execution_summary_v1 AS s, unnest(s.stage_runs) AS sr(r), unnest(r.workflows) AS wr(w)
ORDER BY s.file, s.line, stage_index, w.workflow_name;
