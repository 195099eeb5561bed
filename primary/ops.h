/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The operations csa-primaryd serves (api_server.h carries them). This
 * comment is the contract between the primary, `csa` and csafs.
 *
 * Every request is {"op": OP, "id": N, ...fields}; a field not listed for
 * the op is refused (bad_request), as is a wrong type. A reply is
 * {"id": N, "result": {...}} or {"id": N, "error": {"code": C, "message":
 * M[, "detail": {...}]}}. Sizes are bytes, rates MB/s (10^6 B/s) and IOPS,
 * times seconds since 1970 UTC, all as JSON integers.
 *
 * Roles (the certificate's OU): "admin" and "primary" may call every op;
 * "host" may call status, array.list, volume.list and volume.show (only
 * volumes that name it, or name no host), host.register (itself only),
 * host.report, region.ack, migration.list and subscribe; and, for the
 * volumes it may see, volume.migrate, migration.pause/resume, volume.create
 * (naming it among the hosts, or none), volume.set and volume.delete,
 * which is how `touch`, `truncate` and `rm` in a mount work. Anything else: "forbidden".
 *
 * ---- ops ---------------------------------------------------------------
 *
 * status {}
 *   -> {cluster: UUID, name (from cluster.json; "" if unknown), generation, sequence (of the catalog on the LUNs),
 *       primary: CN, started, arrays, arrays_up, luns, hosts, volumes,
 *       capacity_bytes, used_bytes, free_bytes, rated_mbps, reserved_mbps,
 *       rated_iops, reserved_iops}
 *
 * array.add {name, portal "ip:port", target IQN, luns?: [N...] (default:
 *            every LUN the target reports), rated_mbps?, rated_iops?}
 *   Labels each LUN for the cluster and writes the catalog.
 *   -> ARRAY (as array.show)
 *   errors: exists (name, or portal+target, already in the cluster),
 *           unreachable (login or REPORT LUNS failed), foreign_lun (a LUN
 *           carries another cluster's label: which), lun_in_use (a LUN of
 *           this cluster's another array), bad_request, io (no majority)
 *
 * array.list {} -> {arrays: [ARRAY_SUMMARY...]}
 *   ARRAY_SUMMARY = {name, portal, target, state "up"|"down", luns (count),
 *     capacity_bytes, free_bytes, rated_mbps, rated_iops, calibrated
 *     (bool), reserved_mbps, reserved_iops, volumes (count)}
 *
 * array.show {name} -> ARRAY = ARRAY_SUMMARY + {lun_list: [{number, uuid,
 *     state, block_size, blocks, reserved_blocks, capacity_bytes,
 *     free_bytes}], volume_names: [..]}
 *   errors: not_found
 *
 * array.calibrate {name, seconds? (per phase, 1..30, default 10)}
 *   Starts a calibration and answers at once: -> {name, seconds}.
 *   Then, to subscribed connections, events:
 *     calibrate.progress {array, phase "seq"|"rand", elapsed_ms, total_ms,
 *                         mbps, iops}  (about once a second)
 *     calibrate.done     {array, rated_mbps, rated_iops}   (in the catalog)
 *     calibrate.failed   {array, code, message}
 *   errors: not_found, busy (that array is being calibrated), unreachable
 *
 * volume.create {name, size, mbps?, iops?, copies? (1), hosts?: [CN...],
 *                stripe_unit? (0: chosen), fit? "best"|"first"}
 *   -> VOLUME (as volume.show)
 *   size 0 makes an empty volume (state "empty": requirements, no
 *   extents, no layout), as `touch` in a mount does; volume.set sizes it
 *   later, and only then is it placed.
 *   errors: exists, bad_request, not_found (a host not registered), the
 *     planner's refusals too_few_arrays, no_space, no_bandwidth, no_iops,
 *     no_fit (with "detail": the refusal's fields, placement.h
 *     csa_refusal_to_json), no_arrays, io
 *
 * volume.list {} -> {volumes: [VOLUME_SUMMARY...]}
 *   VOLUME_SUMMARY = {name, state, size, mbps, iops, copies, columns,
 *     stripe_unit, hosts: [..], arrays: [names, column order, copy 0
 *     first]}
 *
 * volume.show {name} -> VOLUME = VOLUME_SUMMARY + {fit, requested_size,
 *     requested_copies, requested_stripe_unit, column_mbps, column_iops,
 *     open_on: [hosts that reported it open], layout: {the layout as
 *     csa_layout_to_json prints it; csa_layout_from_json reads it back;
 *     null for an empty volume}}
 *   An empty volume: state "empty", size 0, columns 0, stripe_unit 0,
 *   arrays [].
 *   errors: not_found
 *
 * volume.set {name, size?, mbps?, iops?, copies?, hosts?: [..],
 *             stripe_unit?, fit? (these two: empty volumes only)}
 *   An empty volume takes every field as its new requirements, and a
 *   size above 0 places it (as volume.create would). Otherwise:
 *   Changes what the volume asks for. Done in place when every column copy
 *   can stay where it is (grown in place if need be):
 *   -> VOLUME + {kept, grown} (counts of column copies)
 *   When column copies must move, the new requirements are recorded and
 *   a migration starts (as volume.migrate): -> VOLUME + {kept, grown,
 *   migration: MIGRATION}. A migration keeps the size: a volume that must
 *   also grow grows in place when it ends (volume.changed then).
 *   errors: not_found, bad_request (e.g. a smaller size), busy (already
 *     migrating), the planner's refusals, io
 *
 * volume.migrate {name, to?: [array names], rebalance?: bool, dry_run?:
 *                 bool, max_rate?: MB/s (0: no cap)}
 *   Re-plans the volume for its requirements with the fewest changed
 *   column copies (rebalance: a fresh best-fit placement), keeping it off
 *   every array but those in `to` when given, and moves the copies that
 *   change, region by region, online (DESIGN.md "Monitoring and
 *   migration"). -> {name, dry_run, plan: PLAN, migration: MIGRATION|null}
 *   PLAN = {columns, copies, moved, added, restriped, kept, grown,
 *     from: [arrays, layout order], to: [arrays], regions, region_bytes,
 *     bytes (to copy), expected_seconds (at the pacing's rate)}
 *   errors: not_found, bad_request (unknown array in `to`; empty volume),
 *     busy (migrating already), nothing_to_move (the plan keeps every
 *     copy where it is), the planner's refusals, io
 *
 * MIGRATION = {volume, state "running"|"paused"|"locked" (a region is
 *   locked now; a paused one says "paused" while its last region ends),
 *   reason "manual"|"set"|"monitor: a2 at 93 %"..., started,
 *   regions, regions_done, region_bytes, bytes, bytes_done, rate_mbps
 *   (copy rate, last 5 s), max_rate, eta_seconds (-1: unknown),
 *   locked_region (-1: none), locks (taken so far by this primary; a
 *   region written while it was copied ahead is locked again),
 *   regions_moved (by this primary), regions_ahead (of them, those whose
 *   copy made while the hosts went on stood: locked only for the catalog
 *   write),
 *   lock_ms_p50, lock_ms_p99, lock_ms_max (how long regions stayed
 *   locked, lock event to unlock event: no I/O waited longer),
 *   from: [arrays], to: [arrays]}
 *
 * migration.list {} -> {migrations: [MIGRATION...]}
 * migration.pause {name?} / migration.resume {name?}: every migration, or
 *   the volume's. -> {migrations: [MIGRATION...]} (those changed)
 *   errors: not_found (no such volume, or it is not migrating)
 *
 * region.ack {volume, region, lock, clean?} (host role): the host holds
 *   new I/O to the region and has none in flight (the answer to a
 *   region.lock event); clean: no write touched the region since the
 *   watch the lock named. region.ack {volume, region, watch}: the host
 *   counts writes to the region from now on (the answer to region.watch).
 *   -> {}   errors: not_found (no such lock or watch: it was dropped or
 *   the copy began), bad_request (neither or both of lock and watch)
 *
 * volume.delete {name} -> {name}
 *   errors: not_found, busy (open on another host: "volume \"v\" is open
 *     on host h2"), io
 *
 * host.register {name?}  A host registers itself (name absent or its own
 *   CN); an admin may register any name.
 *   -> {name, registered}  (an already registered host: its first time)
 *
 * host.list {} -> {hosts: [{name, registered, volumes (count),
 *     last_report (seconds since 1970, 0: never), open: [volumes]}]}
 *
 * host.report {luns: [{array, portal, target, lun, open, reads, writes,
 *              read_bytes, write_bytes, errors, in_flight, p50_us,
 *              p99_us}], open: [volume names], volumes?: [{name, reads,
 *              writes, read_bytes, write_bytes}]}  (host role)
 *   What the host did (counts since its mount) and which volumes it has
 *   open, about once a second and after every open and release. A host's
 *   opens count for 10 s after its last report (so a host that died stops
 *   holding its volumes). -> {}
 *
 * subscribe {} -> {}: events from now on (api_server.h). Besides the
 *   calibration's: array.added {name}, volume.created / volume.changed
 *   {name, generation}, volume.deleted {name}, host.registered {name}.
 *   Migration: migration.started {MIGRATION, plan: PLAN},
 *   migration.progress MIGRATION (about once a second),
 *   migration.paused / migration.resumed {MIGRATION}, migration.done
 *   {MIGRATION with state "done": its final figures}, migration.retry
 *   {volume, code, message, failures} (a region failed; it is tried
 *   again), migration.failed {the same} (5 in a row: the migration is
 *   paused until resumed by hand); region.watch {volume, region, watch
 *   (a number)}: count writes to the region from now on and answer with
 *   region.ack (the primary copies it meanwhile); region.lock {volume,
 *   region, lock (a number), watch?}: hold new I/O to the region, drain,
 *   answer with region.ack, saying whether the region stayed clean since
 *   that watch; region.unlock {volume, region, state "migrated"|"normal"}:
 *   take the region from there and release what was held; host.fenced
 *   {host, volume, luns: ["a1 LUN 1", ...] (its key removed there),
 *   failed (LUNs that could not be fenced)}: a host that did not
 *   answer a lock, past its lease (iscsi/pr.h).
 *   Monitor: array.load {array, state, util, mbps, iops} when an array's
 *   state changes; alert {array, volume, message} when no placement
 *   relieves a saturated array, alert.cleared {array}.
 *
 * The monitor's figures: array.list and array.show add {load: {state
 *   "ok"|"rising"|"saturated"|"falling", util (percent), mbps, write_mbps
 *   (of mbps, the writes), iops,
 *   p99_us}} (added up from the hosts' reports of the last second); status
 *   adds {alerts: [{array, volume, message, since}], migrations (count)};
 *   volume.show adds {migration: MIGRATION + {layout: the `to` layout,
 *   whose region table says where each region is now: normal (still
 *   where `layout` says), locked, migrated}|null, load_fit: [{array,
 *   score, load_mbps, need_mbps, load_iops, need_iops}] for each array it
 *   is on (the monitor's measure, monitor.h)}.
 *
 * Every change is on a majority of the arrays before its reply (code "io"
 * with the arrays that failed otherwise, and nothing changed in memory).
 */
#ifndef CSA_OPS_H
#define CSA_OPS_H

#define CSA_PRIMARY_PORT	7320	/* the API's default TCP port */

#endif
