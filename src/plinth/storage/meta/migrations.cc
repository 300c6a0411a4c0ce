#include "plinth/storage/meta/migrations.h"

namespace plinth::storage {

const std::vector<Migration>& MetaMigrations() {
  static const std::vector<Migration> kMigrations = {
      {1,
       "model registry, API tokens and audit log",
       {
           R"(CREATE TABLE models (
                id {{ID}},
                name TEXT NOT NULL UNIQUE,
                description TEXT NOT NULL DEFAULT '',
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                created_by TEXT NOT NULL DEFAULT '',
                last_version BIGINT NOT NULL DEFAULT 0))",
           R"(CREATE TABLE model_tags (
                model_id BIGINT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (model_id, key)))",
           "CREATE INDEX model_tags_kv ON model_tags(key, value, model_id)",
           R"(CREATE TABLE model_versions (
                id {{ID}},
                model_id BIGINT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
                version BIGINT NOT NULL,
                format TEXT NOT NULL,
                artifact_sha256 TEXT NOT NULL,
                artifact_size BIGINT NOT NULL,
                signature TEXT NOT NULL DEFAULT '{}',
                description TEXT NOT NULL DEFAULT '',
                source_run TEXT NOT NULL DEFAULT '',
                training_dataset TEXT NOT NULL DEFAULT '',
                git_commit TEXT NOT NULL DEFAULT '',
                parent TEXT NOT NULL DEFAULT '',
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                created_by TEXT NOT NULL DEFAULT '',
                UNIQUE (model_id, version)))",
           "CREATE INDEX model_versions_created ON model_versions(created_at)",
           "CREATE INDEX model_versions_sha ON model_versions(artifact_sha256)",
           R"(CREATE TABLE version_tags (
                version_id BIGINT NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (version_id, key)))",
           "CREATE INDEX version_tags_kv ON version_tags(key, value, version_id)",
           R"(CREATE TABLE version_params (
                version_id BIGINT NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (version_id, key)))",
           "CREATE INDEX version_params_kv ON version_params(key, value, version_id)",
           // Latest value of each metric, for search and ordering.
           R"(CREATE TABLE version_metrics (
                version_id BIGINT NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
                key TEXT NOT NULL,
                value DOUBLE PRECISION NOT NULL,
                step BIGINT NOT NULL,
                ts BIGINT NOT NULL,
                PRIMARY KEY (version_id, key)))",
           "CREATE INDEX version_metrics_kv ON version_metrics(key, value, version_id)",
           // Every logged value, for series.
           R"(CREATE TABLE metric_history (
                id {{ID}},
                version_id BIGINT NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
                key TEXT NOT NULL,
                value DOUBLE PRECISION NOT NULL,
                step BIGINT NOT NULL,
                ts BIGINT NOT NULL))",
           "CREATE INDEX metric_history_series ON metric_history(version_id, key, step, ts)",
           R"(CREATE TABLE aliases (
                model_id BIGINT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
                alias TEXT NOT NULL,
                version_id BIGINT NOT NULL REFERENCES model_versions(id),
                updated_at BIGINT NOT NULL,
                updated_by TEXT NOT NULL DEFAULT '',
                PRIMARY KEY (model_id, alias)))",
           "CREATE INDEX aliases_alias ON aliases(alias, version_id)",
           "CREATE INDEX aliases_version ON aliases(version_id)",
           R"(CREATE TABLE alias_history (
                id {{ID}},
                model_id BIGINT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
                alias TEXT NOT NULL,
                old_version BIGINT,
                new_version BIGINT,
                ts BIGINT NOT NULL,
                actor TEXT NOT NULL DEFAULT ''))",
           "CREATE INDEX alias_history_model ON alias_history(model_id, alias, id)",
           R"(CREATE TABLE api_tokens (
                id {{ID}},
                name TEXT NOT NULL UNIQUE,
                scopes TEXT NOT NULL,
                secret_hash TEXT NOT NULL UNIQUE,
                created_at BIGINT NOT NULL,
                created_by TEXT NOT NULL DEFAULT '',
                revoked_at BIGINT,
                last_used_at BIGINT))",
           R"(CREATE TABLE audit_log (
                id {{ID}},
                ts BIGINT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                resource TEXT NOT NULL,
                details TEXT NOT NULL DEFAULT '{}',
                client TEXT NOT NULL DEFAULT ''))",
           "CREATE INDEX audit_log_ts ON audit_log(ts)",
           "CREATE INDEX audit_log_actor ON audit_log(actor, id)",
           "CREATE INDEX audit_log_action ON audit_log(action, id)",
           // The audit log is append-only, enforced by the database itself.
           "sqlite:CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
           "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
           "sqlite:CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
           "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
       }},
      {2,
       "deployments",
       {
           // One row per deployment; `spec` is the DeploymentSpec as JSON (serving/deployment_spec.h)
           // and `generation` counts its updates (1 when created).
           R"(CREATE TABLE deployments (
                id {{ID}},
                name TEXT NOT NULL UNIQUE,
                spec TEXT NOT NULL,
                generation BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                created_by TEXT NOT NULL DEFAULT '',
                updated_by TEXT NOT NULL DEFAULT ''))",
       }},
      {3,
       "feature store definitions, materialization state and datasets",
       {
           // Every version of every definition (kind: entity, source, feature_view,
           // feature_service); `spec` is its canonical JSON (features/definitions.h). Rows are
           // never updated: an apply that changes an object adds its next version.
           R"(CREATE TABLE feature_objects (
                id {{ID}},
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                version BIGINT NOT NULL,
                spec TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                created_by TEXT NOT NULL DEFAULT '',
                UNIQUE (kind, name, version)))",
           // The live version of each object; removing an object deletes its row here only.
           R"(CREATE TABLE feature_live (
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                version BIGINT NOT NULL,
                PRIMARY KEY (kind, name)))",
           // Per feature view: how far its source table has been loaded into the online store.
           R"(CREATE TABLE feature_view_state (
                view_name TEXT PRIMARY KEY,
                view_version BIGINT NOT NULL,
                table_version BIGINT NOT NULL,
                rows_written BIGINT NOT NULL DEFAULT 0,
                updated_at BIGINT NOT NULL))",
           // Training sets and other registered datasets: a Delta table at a version, with the
           // lineage (service, feature view versions, source table versions) as JSON.
           R"(CREATE TABLE datasets (
                id {{ID}},
                name TEXT NOT NULL,
                version BIGINT NOT NULL,
                table_path TEXT NOT NULL,
                table_version BIGINT NOT NULL,
                row_count BIGINT NOT NULL DEFAULT 0,
                lineage TEXT NOT NULL DEFAULT '{}',
                created_at BIGINT NOT NULL,
                created_by TEXT NOT NULL DEFAULT '',
                UNIQUE (name, version)))",
       }},
  };
  return kMigrations;
}

}  // namespace plinth::storage
