"""The demo pool: a deterministic, realistic-looking network of savings-group projects in a
fictional world (world), built through the real importer (build)."""
