-- The visibility rule, written once: a row of project `project_id` is shown if the viewer is
-- not restricted (an administrator, the command line) or the project is one it may see.
-- Parameters (dashboard.core.filters.visibility_params builds them): $restricted BOOLEAN,
-- $visible VARCHAR[]. A condition, included after WHERE or AND (--@include visible) where
-- `project_id` names the row's project.
(NOT $restricted::BOOLEAN OR list_contains($visible::VARCHAR[], project_id))
