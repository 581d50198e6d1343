from odoo import api, models
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.query import Query

from .edu_timeline_sources import SOURCE_SHIFT


def top_level_leaves(domain):
    """The leaves of ``domain`` that every record it matches satisfies: the
    operands of its top-level ``AND`` (not those under ``|`` or ``!``)."""
    items = expression.normalize_domain(domain)
    leaves = []

    def walk(position, collect):
        """Walk the node at ``position``; return the position after it."""
        token = items[position]
        if token == expression.AND_OPERATOR:
            return walk(walk(position + 1, collect), collect)
        if token == expression.OR_OPERATOR:
            return walk(walk(position + 1, False), False)
        if token == expression.NOT_OPERATOR:
            return walk(position + 1, False)
        if collect:
            leaves.append(token)
        return position + 1

    if items:
        walk(0, True)
    return leaves


def pinned_ids(leaves, field):
    """The ids that ``field`` is pinned to by one of ``leaves``
    (``(field, '=', id)`` or ``(field, 'in', ids)`` with integer ids), or
    None when no leaf pins it."""
    for leaf in leaves:
        if not isinstance(leaf, list | tuple) or len(leaf) != 3:
            continue
        name, operator, value = leaf
        if name != field or operator not in ("=", "in"):
            continue
        values = value if isinstance(value, list | tuple | set) else [value]
        if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            return set(values)
    return None


class EduTimeline(models.Model):
    """One person's timeline is read without building the whole union.

    The view (``_edu_timeline_query``) stays the read for lists and reports
    across people (pivot, group by, counts). ``_search`` reads from the
    sources themselves when the domain allows it:

    - **rows by id** (``('id', 'in', ids)``, as ``fetch`` and ``_check_access``
      read the rows of a page): only the sources of those ids, each on its own
      key, so PostgreSQL reads them by primary key instead of computing the
      ``id`` of every row of every source;
    - **a page of one person** (``('partner_id', '=', id)`` or ``in`` a few
      ids, with a ``limit``, ordered on the model's own columns): each source
      keeps at most ``offset + limit`` rows matching the whole domain, the
      record rules' conditions included (so filters and access apply before
      the limit), in the page's order; the page is the first rows of their
      merge. Each source reads only the person's rows on its person index
      and sorts only those.

    The result is the same rows in the same order as the view's; the number
    of queries does not change.
    """

    _inherit = "edu.timeline"

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        query = super()._search(domain, offset=offset, limit=limit, order=order)
        if query.is_empty() or query._ids is not None or query._joins:
            return query
        leaves = top_level_leaves(domain)
        rows = self._edu_timeline_rows_of(pinned_ids(leaves, "id"))
        paged = bool(limit and query.order and pinned_ids(leaves, "partner_id"))
        if rows is None and not paged:
            return query
        if rows == {}:
            return self.browse()._as_query()
        branches = self._edu_timeline_branches(rows)
        alias = query.table
        if paged:
            # the whole domain inside each source, before its limit
            branches = self._edu_timeline_top_branches(
                branches, alias, query, query.order, offset + limit
            )
        pinned = Query(self.env, alias, SQL("(%s)", SQL(" UNION ALL ").join(branches)))
        if not paged:
            for clause in query._where_clauses:
                pinned.add_where(clause)
        pinned.order = query.order
        pinned.limit = query.limit
        pinned.offset = query.offset
        return pinned

    def exists(self):
        """The rows of ``self`` that exist, read by id as ``_search`` reads
        them (only their sources, each on its key) rather than by the
        ``id`` of every row of the view."""
        ids = {row_id for row_id in self._ids if isinstance(row_id, int)}
        if not ids:
            return super().exists()
        found = set(self.sudo()._search([("id", "in", list(ids))]).get_result_ids())
        return self.browse(
            [row_id for row_id in self._ids if row_id in found or row_id not in ids]
        )

    @api.model
    def _edu_timeline_rows_of(self, ids):
        """``{source number: row ids in the source}`` of the timeline ids
        ``ids`` (None when ``ids`` is None)."""
        if ids is None:
            return None
        sources = len(self._edu_timeline_sources())
        rows = {}
        for row_id in ids:
            number = row_id >> SOURCE_SHIFT
            if 1 <= number <= sources:
                rows.setdefault(number, []).append(row_id - (number << SOURCE_SHIFT))
        return rows

    @api.model
    def _edu_timeline_top_branches(
        self, branches, alias, query, order, count, where=None
    ):
        """Each of ``branches`` kept to its first ``count`` rows that satisfy
        the conditions of ``query`` (and ``where``) in ``order``, all over
        ``alias``, the view's columns."""
        conditions = [*query._where_clauses, *([where] if where else [])]
        return [
            SQL(
                "(SELECT * FROM (%s) AS %s WHERE %s ORDER BY %s LIMIT %s)",
                branch,
                SQL.identifier(alias),
                SQL(" AND ").join(conditions) if conditions else SQL("TRUE"),
                order,
                count,
            )
            for branch in branches
        ]
