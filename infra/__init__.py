"""CDK infrastructure for newsflow: one construct per concern, assembled by infra.stack."""
