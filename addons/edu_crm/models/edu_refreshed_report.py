from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import format_datetime

# a report opened from its menu is at most this old
REFRESH_AFTER = timedelta(hours=1)


class EduRefreshedReport(models.AbstractModel):
    """A report read from materialized views that a job refreshes, and its
    menu when they are older than an hour (the cash-in forecast, the
    campaign results).

    One refresh at a time across every worker and server: a transaction
    that finds another one refreshing (the job, someone opening the report
    on another server) does not refresh again; what that one computes is
    what every reader sees once it commits. The lock is taken before the
    views are touched, so the loser neither waits nor recomputes.

    The time of the last refresh is a one-row materialized view
    (``refreshed_at``), the last of ``_edu_refresh_views``, refreshed in the
    same transaction as the data, so it can never disagree with it; a
    system parameter would do too, but ``ir.config_parameter`` writes clear
    the registry caches of every worker on each refresh."""

    _name = "edu.refreshed.report"
    _description = "Report of refreshed materialized views"

    # the advisory lock of the refresh
    _edu_refresh_lock = None
    # the materialized views, in order; the last is the stamp
    _edu_refresh_views = ()
    # CONCURRENTLY (each view has a unique index): readers keep reading the
    # previous rows until the refresh commits, instead of waiting for it
    _edu_refresh_concurrently = False

    @api.model
    def _edu_refresh(self):
        """Refresh the views; return whether it was done (False: another
        transaction is refreshing them)."""
        self.env.cr.execute(
            SQL(
                "SELECT pg_try_advisory_xact_lock(hashtext(%s))", self._edu_refresh_lock
            )
        )
        if not self.env.cr.fetchone()[0]:
            return False
        self.env.flush_all()
        self._edu_before_refresh()
        how = SQL("CONCURRENTLY") if self._edu_refresh_concurrently else SQL("")
        for view in self._edu_refresh_views:
            self.env.cr.execute(
                SQL("REFRESH MATERIALIZED VIEW %s %s", how, SQL.identifier(view))
            )
        self.invalidate_model()
        return True

    # the tables of the report's own (dropped with its views on uninstall)
    _edu_report_tables = ()

    @api.model
    def _edu_drop_report(self):
        """Drop the report's materialized views (what depends on them with
        them) and tables: Odoo's uninstall drops the tables and plain views
        of models only, and warns about a materialized one."""
        for view in self._edu_refresh_views:
            self.env.cr.execute(
                SQL("DROP MATERIALIZED VIEW IF EXISTS %s CASCADE", SQL.identifier(view))
            )
        for table in self._edu_report_tables:
            self.env.cr.execute(
                SQL("DROP TABLE IF EXISTS %s CASCADE", SQL.identifier(table))
            )

    @api.model
    def _edu_before_refresh(self):
        """What the views read that is not a table of its own (a hook)."""

    @api.model
    def _edu_refreshed_at(self):
        """When the views were last refreshed (naive UTC datetime)."""
        self.env.cr.execute(
            SQL(
                "SELECT refreshed_at FROM %s",
                SQL.identifier(self._edu_refresh_views[-1]),
            )
        )
        row = self.env.cr.fetchone()
        return row and row[0]

    @api.model
    def _edu_open_refreshed(self, action_xmlid, title):
        """The window action ``action_xmlid``, the views refreshed first
        when older than an hour, named ``title(when)`` (``when``: the time
        of the refresh, formatted for the user)."""
        refreshed_at = self._edu_refreshed_at()
        if (
            not refreshed_at or fields.Datetime.now() - refreshed_at > REFRESH_AFTER
        ) and self._edu_refresh():
            refreshed_at = self._edu_refreshed_at()
        action = self.env["ir.actions.act_window"]._for_xml_id(action_xmlid)
        # the web client shows the display name (the action's own) first
        action["name"] = action["display_name"] = title(
            format_datetime(self.env, refreshed_at, dt_format="short")
        )
        return action
