# Report periods, snapshots and rollup facts arrive with the reporting issues.
