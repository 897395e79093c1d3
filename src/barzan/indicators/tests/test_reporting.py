"""
Reporting like DHIS2 does it: a data set's form is completed for an area and period by
someone who enters it, and reopened by them or a manager; reporting rates count the forms
expected, complete and on time below an area; the grid, the API and the home-page panels
show them.
"""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.utils import timezone, translation

from barzan.audit.models import AuditEvent
from barzan.core.exceptions import ConcurrentEditError
from barzan.geo.models import AreaLevel
from barzan.indicators import actions, panels, reporting
from barzan.indicators.models import DataSetCompletion, Period

from .fixtures_core import enter_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_set(catalogue):
    """The yearly neighborhood form, with households ≤ residents among its rules."""
    actions.create_validation_rule(
        actor=None,
        code="households-le-residents",
        name_fa="خانوارها از ساکنان بیشتر نیست",
        left=catalogue.households,
        operator="le",
        right=catalogue.population,
    )
    return actions.create_data_set(
        actor=None,
        code="neighborhood-form",
        name_fa="فرم محله",
        name_en="Neighborhood form",
        level=AreaLevel.objects.get(code="neighborhood"),
        period_type="year",
        owner=catalogue.owner,
        indicators=[catalogue.population, catalogue.households, catalogue.unemployed],
    )


@pytest.fixture
def period():
    return Period.objects.get(code="1402")


def complete(user, data_set, area, period, **options):
    return actions.complete_data_set(
        actor=user, data_set=data_set, area=area, period=period, **options
    )


def completed_on(completion, day):
    """Move a completion's time to `day` (noon, local time), as if it happened then."""
    when = timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=12))
    DataSetCompletion.objects.filter(pk=completion.pk).update(completed_at=when)


def grid_url(data_set, area, period_code="1402") -> str:
    return f"/indicators/entry/{data_set.code}/{area.pk}/{period_code}/"


# -- completing and reopening


class TestCompleteDataSet:
    def test_the_secretary_completes_a_neighborhoods_form_and_it_is_audited(
        self, people, neighborhoods, data_set, period
    ):
        completion = complete(people.secretary, data_set, neighborhoods.n1, period)
        assert completion.is_completed is True
        assert completion.completed_by == people.secretary
        event = AuditEvent.objects.get(verb=actions.DATA_SET_COMPLETED)
        assert event.actor == people.secretary
        assert event.area_id == neighborhoods.n1.pk

    def test_a_complete_form_is_not_completed_twice(self, people, neighborhoods, data_set, period):
        complete(people.secretary, data_set, neighborhoods.n1, period)
        with pytest.raises(ValidationError):
            complete(people.secretary, data_set, neighborhoods.n1, period)

    def test_two_people_completing_from_the_same_copy_the_second_is_told(
        self, people, neighborhoods, data_set, period
    ):
        first = complete(people.secretary, data_set, neighborhoods.n1, period, version=0)
        actions.reopen_data_set(actor=people.secretary, completion=first, version=first.version)
        # Someone who loaded the grid before all this still holds version 0.
        with pytest.raises(ConcurrentEditError):
            complete(people.tehran_manager, data_set, neighborhoods.n1, period, version=0)

    def test_someone_who_only_reads_may_not_complete(self, people, neighborhoods, data_set, period):
        with pytest.raises(PermissionDenied):
            complete(people.tehran_analyst, data_set, neighborhoods.n1, period)
        assert not DataSetCompletion.objects.exists()

    def test_a_form_outside_the_users_areas_may_not_be_completed(
        self, people, neighborhoods, data_set, period
    ):
        with pytest.raises(PermissionDenied):
            complete(people.secretary, data_set, neighborhoods.isfahan, period)

    def test_an_area_of_another_level_has_no_form(self, people, areas, data_set, period):
        with pytest.raises(ValidationError):
            complete(people.tehran_manager, data_set, areas.district6, period)

    def test_broken_rules_do_not_stop_completion_unless_the_data_set_requires_valid_rules(
        self, people, catalogue, neighborhoods, data_set, period, enter
    ):
        enter(catalogue.households, neighborhoods.n1, "12345")
        enter(catalogue.population, neighborhoods.n1, "1000")
        completion = complete(people.secretary, data_set, neighborhoods.n1, period)
        assert completion.is_completed
        actions.reopen_data_set(actor=people.secretary, completion=completion)
        actions.update_data_set(
            actor=None, data_set=data_set, version=None, requires_valid_rules=True
        )
        data_set.refresh_from_db()
        with pytest.raises(ValidationError, match="مغایرت"):
            complete(people.secretary, data_set, neighborhoods.n1, period)
        assert complete(people.secretary, data_set, neighborhoods.n2, period).is_completed


class TestReopenDataSet:
    def test_who_completed_it_reopens_it(self, people, neighborhoods, data_set, period):
        completion = complete(people.secretary, data_set, neighborhoods.n1, period)
        reopened = actions.reopen_data_set(actor=people.secretary, completion=completion)
        assert reopened.is_completed is False
        assert reopened.reopened_by == people.secretary
        assert AuditEvent.objects.filter(verb=actions.DATA_SET_REOPENED).count() == 1

    def test_a_manager_of_the_area_reopens_it(self, people, neighborhoods, data_set, period):
        completion = complete(people.secretary, data_set, neighborhoods.n1, period)
        assert actions.reopen_data_set(actor=people.tehran_manager, completion=completion)

    def test_another_secretary_may_not_reopen_it(
        self, people, areas, neighborhoods, data_set, period, make_user
    ):
        other = make_user("other-secretary", "council_secretary", areas.district6)
        completion = complete(people.secretary, data_set, neighborhoods.n1, period)
        with pytest.raises(PermissionDenied):
            actions.reopen_data_set(actor=other, completion=completion)
        completion.refresh_from_db()
        assert completion.is_completed is True

    def test_a_stale_version_is_refused(self, people, neighborhoods, data_set, period):
        completion = complete(people.secretary, data_set, neighborhoods.n1, period)
        with pytest.raises(ConcurrentEditError):
            actions.reopen_data_set(
                actor=people.secretary, completion=completion, version=completion.version - 1
            )

    def test_completing_again_sets_the_time_anew(self, people, neighborhoods, data_set, period):
        completion = complete(people.secretary, data_set, neighborhoods.n1, period)
        completed_on(completion, period.end + timedelta(days=2))
        actions.reopen_data_set(actor=people.secretary, completion=completion)
        again = complete(people.secretary, data_set, neighborhoods.n1, period)
        assert again.pk == completion.pk
        assert timezone.localdate(again.completed_at) == timezone.localdate()


# -- reporting rates


class TestReportingRates:
    def test_expected_complete_and_on_time_below_an_area(
        self, people, areas, neighborhoods, data_set, period
    ):
        on_time = complete(people.secretary, data_set, neighborhoods.n1, period)
        completed_on(on_time, period.end + timedelta(days=data_set.timely_days))
        late = complete(people.secretary, data_set, neighborhoods.n2, period)
        completed_on(late, period.end + timedelta(days=data_set.timely_days + 1))
        rates = reporting.reporting_rates(
            user=people.tehran_manager, data_set=data_set, area=areas.district6, period=period
        )
        assert (rates.total.expected, rates.total.complete, rates.total.on_time) == (3, 2, 1)
        assert str(rates.total.complete_percent) == "66.7"
        assert str(rates.total.on_time_percent) == "33.3"
        assert {(row.area.code, row.complete, row.on_time) for row in rates.rows} == {
            ("N1", 1, 1),
            ("N2", 1, 0),
            ("N3", 0, 0),
        }

    def test_each_child_counts_the_forms_below_it(
        self, people, areas, neighborhoods, data_set, period
    ):
        complete(people.secretary, data_set, neighborhoods.n1, period)
        rates = reporting.reporting_rates(
            user=people.admin, data_set=data_set, area=areas.country, period=period
        )
        assert (rates.total.expected, rates.total.complete) == (4, 1)
        assert {(row.area, row.expected, row.complete) for row in rates.rows} == {
            (areas.tehran, 3, 1),
            (areas.isfahan, 1, 0),
        }

    def test_a_reopened_form_is_not_complete(self, people, areas, neighborhoods, data_set, period):
        completion = complete(people.secretary, data_set, neighborhoods.n1, period)
        actions.reopen_data_set(actor=people.secretary, completion=completion)
        rates = reporting.reporting_rates(
            user=people.tehran_manager, data_set=data_set, area=areas.district6, period=period
        )
        assert (rates.total.expected, rates.total.complete) == (3, 0)

    def test_the_rates_count_only_the_areas_the_user_may_see(
        self, people, areas, neighborhoods, data_set, period
    ):
        complete(None, data_set, neighborhoods.isfahan, period)
        rates = reporting.reporting_rates(
            user=people.tehran_manager, data_set=data_set, area=areas.country, period=period
        )
        assert (rates.total.expected, rates.total.complete) == (3, 0)
        assert [row.area for row in rates.rows] == [areas.tehran]

    def test_only_this_data_sets_forms_and_this_periods_count(
        self, people, areas, catalogue, neighborhoods, data_set, period
    ):
        other = actions.create_data_set(
            actor=None,
            code="other-form",
            name_fa="فرم دیگر",
            level=data_set.level,
            period_type="year",
            owner=catalogue.owner,
            indicators=[catalogue.households],
        )
        complete(people.secretary, other, neighborhoods.n1, period)
        complete(people.secretary, data_set, neighborhoods.n2, Period.objects.get(code="1401"))
        rates = reporting.reporting_rates(
            user=people.tehran_manager, data_set=data_set, area=areas.district6, period=period
        )
        assert (rates.total.expected, rates.total.complete) == (3, 0)

    def test_an_area_that_has_ended_is_not_expected(
        self, people, areas, neighborhoods, data_set, period
    ):
        from datetime import date

        from barzan.geo.models import Area

        Area.objects.filter(pk=neighborhoods.n3.pk).update(valid_to=date(2023, 3, 20))
        rates = reporting.reporting_rates(
            user=people.tehran_manager, data_set=data_set, area=areas.district6, period=period
        )
        assert rates.total.expected == 2
        assert neighborhoods.n3 not in [row.area for row in rates.rows]

    def test_no_forms_expected_is_no_rate(self, people, areas, data_set, period):
        rates = reporting.reporting_rates(
            user=people.tehran_manager, data_set=data_set, area=areas.shemiranat, period=period
        )
        assert rates.total.expected == 0
        assert rates.total.complete_percent is None


# -- the grid


def htmx_post(client, url, data=None):
    return client.post(url, data or {}, HTTP_HX_REQUEST="true")


class TestGrid:
    def test_the_secretary_marks_the_form_complete_and_sees_who_and_when(
        self, client, login, people, neighborhoods, data_set
    ):
        login(people.secretary)
        page = client.get(grid_url(data_set, neighborhoods.n1)).content.decode()
        assert "ثبت تکمیل" in page
        url = grid_url(data_set, neighborhoods.n1)
        response = htmx_post(client, url + "complete/", {"version": "0"})
        html = response.content.decode()
        assert 'data-completed="true"' in html
        assert "تکمیل‌شده در" in html and "توسط secretary" in html
        assert "بازگشایی" in html
        page = client.get(grid_url(data_set, neighborhoods.n1)).content.decode()
        assert "ثبت تکمیل" not in page

    def test_reopening_from_the_grid(self, client, login, people, neighborhoods, data_set, period):
        completion = complete(people.secretary, data_set, neighborhoods.n1, period)
        login(people.secretary)
        url = grid_url(data_set, neighborhoods.n1)
        response = htmx_post(client, url + "reopen/", {"version": completion.version})
        assert 'data-completed="false"' in response.content.decode()
        completion.refresh_from_db()
        assert completion.is_completed is False

    def test_a_stale_complete_says_so_and_changes_nothing(
        self, client, login, people, neighborhoods, data_set, period
    ):
        complete(people.tehran_manager, data_set, neighborhoods.n1, period)
        login(people.secretary)
        url = grid_url(data_set, neighborhoods.n1)
        response = htmx_post(client, url + "complete/", {"version": "0"})
        assert 'role="alert"' in response.content.decode()
        assert DataSetCompletion.objects.get().completed_by == people.tehran_manager

    def test_a_plain_post_goes_back_to_the_grid(
        self, client, login, people, neighborhoods, data_set
    ):
        login(people.secretary)
        response = client.post(grid_url(data_set, neighborhoods.n1) + "complete/", {"version": "0"})
        assert response.status_code == 302
        assert response.url == grid_url(data_set, neighborhoods.n1)
        assert DataSetCompletion.objects.filter(is_completed=True).count() == 1

    def test_a_reader_sees_no_complete_button_and_a_post_gets_403(
        self, client, login, people, neighborhoods, data_set
    ):
        login(people.tehran_analyst)
        assert "ثبت تکمیل" not in client.get(grid_url(data_set, neighborhoods.n1)).content.decode()
        response = client.post(grid_url(data_set, neighborhoods.n1) + "complete/", {"version": "0"})
        assert response.status_code == 403
        assert not DataSetCompletion.objects.exists()

    def test_the_secretary_gets_404_for_an_isfahan_form(
        self, client, login, people, neighborhoods, data_set
    ):
        login(people.secretary)
        response = client.post(grid_url(data_set, neighborhoods.isfahan) + "complete/")
        assert response.status_code == 404


class TestRulesAtEntry:
    def cell(self, client, data_set, area, indicator, value, version=0):
        return htmx_post(
            client,
            grid_url(data_set, area) + "cell/",
            {"indicator": indicator.code, "breakdown": "", "value": value, "comment": "",
             "version": version},
        )  # fmt: skip

    def test_households_above_residents_show_the_broken_rule_not_a_bare_tick(
        self, client, login, people, catalogue, neighborhoods, data_set, enter
    ):
        enter(catalogue.population, neighborhoods.n1, "1000")
        login(people.secretary)
        with translation.override("fa"):
            response = self.cell(client, data_set, neighborhoods.n1, catalogue.households, "12345")
        html = response.content.decode()
        # Saved all the same: the rule warns, it does not refuse.
        assert catalogue.households.values.get().value == 12345
        assert 'data-saved="with-broken-rules"' in html
        assert "خانوارها از ساکنان بیشتر نیست" in html
        assert "۱۲٬۳۴۵" in html and "۱٬۰۰۰" in html
        # The residents' cell, the rule's other side, is updated beside it (out of band).
        population_key = f"{catalogue.population.pk}-"
        assert f'id="rules-{population_key}' in html
        assert 'hx-swap-oob="true"' in html

    def test_mending_the_figure_clears_the_rule_on_both_cells(
        self, client, login, people, catalogue, neighborhoods, data_set, enter
    ):
        enter(catalogue.population, neighborhoods.n1, "1000")
        stored = enter(catalogue.households, neighborhoods.n1, "12345")
        login(people.secretary)
        response = self.cell(
            client, data_set, neighborhoods.n1, catalogue.households, "300", stored.version
        )
        html = response.content.decode()
        assert 'data-saved=""' in html or "data-saved>" in html
        assert 'data-broken-rules="1"' not in html
        assert "خانوارها از ساکنان بیشتر نیست" not in html

    def test_the_grid_shows_the_broken_rule_beside_both_cells(
        self, client, login, people, catalogue, neighborhoods, data_set, enter
    ):
        enter(catalogue.population, neighborhoods.n1, "1000")
        enter(catalogue.households, neighborhoods.n1, "12345")
        login(people.secretary)
        html = client.get(grid_url(data_set, neighborhoods.n1)).content.decode()
        assert html.count("خانوارها از ساکنان بیشتر نیست") == 2

    def test_a_rule_with_one_side_empty_is_not_shown_as_broken(
        self, client, login, people, catalogue, neighborhoods, data_set
    ):
        login(people.secretary)
        response = self.cell(client, data_set, neighborhoods.n1, catalogue.households, "12345")
        assert "خانوارها از ساکنان بیشتر نیست" not in response.content.decode()


# -- the reporting page


REPORTING = "/indicators/reporting/"


class TestReportingPage:
    def test_a_table_of_the_areas_below_with_their_rates(
        self, client, login, people, areas, neighborhoods, data_set, period
    ):
        complete(people.secretary, data_set, neighborhoods.n1, period)
        login(people.tehran_manager)
        response = client.get(
            REPORTING, {"data_set": data_set.code, "area": areas.district6.pk, "period": "1402"}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "۳۳٫۳٪" in html  # 1 of 3 forms
        # In Persian order: «محله دو», «محله سه», «محله یک».
        assert [rate.area.code for rate in response.context["page"].object_list] == [
            "N2",
            "N3",
            "N1",
        ]

    def test_the_periods_are_picked_from_a_list(self, client, login, people, areas, data_set):
        login(people.tehran_manager)
        html = client.get(REPORTING, {"data_set": data_set.code}).content.decode()
        assert '<select class="form-select mb-2" name="period"' in html

    def test_sorted_by_complete_share(
        self, client, login, people, areas, neighborhoods, data_set, period
    ):
        complete(people.secretary, data_set, neighborhoods.n2, period)
        login(people.tehran_manager)
        params = {"data_set": data_set.code, "area": areas.district6.pk, "period": "1402"}
        rows = client.get(REPORTING, {**params, "sort": "-complete"}).context["page"].object_list
        assert rows[0].area == neighborhoods.n2
        rows = client.get(REPORTING, {**params, "sort": "complete"}).context["page"].object_list
        assert rows[-1].area == neighborhoods.n2

    def test_the_table_is_paginated(
        self, client, login, people, areas, neighborhoods, data_set, monkeypatch
    ):
        from barzan.indicators.views import reporting as view

        monkeypatch.setattr(view, "ROWS_PER_PAGE", 2)
        login(people.tehran_manager)
        params = {"data_set": data_set.code, "area": areas.district6.pk, "period": "1402"}
        first = client.get(REPORTING, params).context["page"]
        second = client.get(REPORTING, {**params, "page": 2}).context["page"]
        assert len(first.object_list) == 2 and len(second.object_list) == 1

    def test_the_csv_holds_each_area_and_the_total(
        self, client, login, people, areas, neighborhoods, data_set, period
    ):
        completed_on(complete(people.secretary, data_set, neighborhoods.n1, period), period.end)
        complete(people.secretary, data_set, neighborhoods.n2, period)  # today: late
        login(people.tehran_analyst)
        response = client.get(
            REPORTING,
            {"data_set": data_set.code, "area": areas.district6.pk, "period": "1402",
             "export": "csv"},
        )  # fmt: skip
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) == 1 + 3 + 1
        assert rows[-1][1:] == [areas.district6.code, "3", "2", "66.7", "1", "33.3"]

    def test_the_secretary_may_not_export(self, client, login, people, areas, data_set):
        login(people.secretary)
        params = {"data_set": data_set.code, "area": areas.district6.pk, "period": "1402"}
        assert 'data-export="csv"' not in client.get(REPORTING, params).content.decode()
        assert client.get(REPORTING, {**params, "export": "csv"}).status_code == 403

    def test_an_unknown_data_set_is_not_found(self, client, login, people, areas, data_set):
        login(people.tehran_manager)
        assert client.get(REPORTING, {"data_set": "nope"}).status_code == 404

    @pytest.mark.parametrize("code", ["1402Q9", "1402Q1", "abc"])
    def test_a_period_not_of_the_data_set_gives_its_latest_period(
        self, client, login, people, areas, data_set, code
    ):
        login(people.tehran_manager)
        response = client.get(REPORTING, {"data_set": data_set.code, "period": code})
        assert response.status_code == 200
        assert response.context["period"] == reporting.last_ended_period(data_set)

    def test_more_areas_below_take_no_more_queries(
        self, client, login, people, areas, neighborhoods, data_set, period, count_queries
    ):
        from barzan.geo.actions import create_area

        login(people.tehran_manager)
        params = {"data_set": data_set.code, "area": areas.district6.pk, "period": "1402"}
        few = count_queries(lambda: client.get(REPORTING, params))
        for number in range(4, 10):
            area = create_area(
                actor=None, level=data_set.level, code=f"N{number}", name_fa=f"محله {number}",
                parent=areas.district6,
            )  # fmt: skip
            complete(None, data_set, area, period)
        assert len(client.get(REPORTING, params).context["page"].object_list) == 9
        assert count_queries(lambda: client.get(REPORTING, params)) == few

    def test_a_user_without_a_grant_gets_403(self, client, login, people):
        login(people.nobody)
        assert client.get(REPORTING).status_code == 403

    def test_the_profile_shows_a_reporting_summary(
        self, client, login, people, areas, neighborhoods, catalogue, data_set, enter, monkeypatch
    ):
        enter(catalogue.population, neighborhoods.n1, "1000")
        ended = Period.objects.get(code="1402")
        monkeypatch.setattr(reporting, "last_ended_period", lambda data_set, on=None: ended)
        complete(people.secretary, data_set, neighborhoods.n1, Period.objects.get(code="1402"))
        login(people.tehran_manager)
        html = client.get(f"/indicators/profile/{areas.district6.pk}/").content.decode()
        assert "گزارش‌دهی" in html
        assert "از ۳ فرم، ۳۳٫۳٪ تکمیل‌شده" in html


# -- the home-page panels


class TestPanels:
    def test_the_secretary_sees_what_to_fill_this_period(
        self, people, catalogue, neighborhoods, data_set, enter
    ):
        now = reporting.current_period(data_set)
        enter(catalogue.population, neighborhoods.n1, "1000", at=now)
        enter(catalogue.households, neighborhoods.n1, "12345", at=now)
        complete(people.secretary, data_set, neighborhoods.n2, now)
        [panel] = panels.forms_to_fill(people.secretary)
        forms = {form.area.code: form for form in panel.context["forms"]}
        assert set(forms) == {"N1", "N2", "N3"}
        assert forms["N1"].period == now
        # Each total and each part of a breakdown is a figure of the form.
        assert forms["N1"].cells == reporting.cell_count(data_set) > 3
        assert forms["N1"].filled == 2
        assert forms["N1"].broken_count == 1
        assert (forms["N1"].is_completed, forms["N2"].is_completed) == (False, True)
        assert panel.badge == 2
        assert forms["N1"].url == grid_url(data_set, neighborhoods.n1, now.code)
        with translation.override("fa"):
            html = render_to_string(panel.template, panel.context)
        assert grid_url(data_set, neighborhoods.n1, now.code) in html
        assert "۱ مغایرت" in html
        assert "تکمیل‌نشده" in html

    def test_the_secretarys_home_page_lists_what_to_fill_this_period(
        self, client, login, people, catalogue, neighborhoods, data_set, enter
    ):
        now = reporting.current_period(data_set)
        enter(catalogue.population, neighborhoods.n1, "1000", at=now)
        login(people.secretary)
        with translation.override("fa"):
            html = client.get("/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
        assert 'data-panel="indicators.forms_to_fill"' in html
        for area in (neighborhoods.n1, neighborhoods.n2, neighborhoods.n3):
            assert grid_url(data_set, area, now.code) in html
        assert "تکمیل‌نشده" in html

    def test_someone_who_enters_nothing_has_no_forms_to_fill(self, people, data_set):
        assert panels.forms_to_fill(people.tehran_analyst) == []
        assert panels.forms_to_fill(people.nobody) == []

    def test_an_officer_of_a_province_reads_its_reporting_rates(
        self, people, neighborhoods, data_set, period, monkeypatch
    ):
        monkeypatch.setattr(reporting, "last_ended_period", lambda data_set, on=None: period)
        complete(people.secretary, data_set, neighborhoods.n1, period)
        [panel] = panels.reporting_overview(people.tehran_manager)
        [row] = panel.context["rows"]
        assert (row["rate"].expected, row["rate"].complete) == (3, 1)
        with translation.override("fa"):
            html = render_to_string(panel.template, panel.context)
        assert "۳۳٫۳٪" in html
        assert "/indicators/violations/" in html

    def test_the_secretary_is_no_officer(self, people, data_set):
        assert panels.reporting_overview(people.secretary) == []


# -- the API


API = "/api/v1/reporting"


class TestApi:
    def test_complete_list_and_reopen(self, client, login, people, neighborhoods, data_set):
        login(people.secretary)
        response = client.post(
            f"{API}/completions",
            {"data_set": data_set.code, "area_id": neighborhoods.n1.pk, "period": "۱۴۰۲",
             "version": 0},
            content_type="application/json",
        )  # fmt: skip
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["is_completed"], body["completed_by"], body["period"]) == (
            True,
            "secretary",
            "1402",
        )
        listed = client.get(f"{API}/completions", {"data_set": data_set.code}).json()
        assert [item["area_code"] for item in listed["items"]] == ["N1"]
        reopened = client.post(
            f"{API}/completions/{body['id']}/reopen",
            {"version": body["version"]},
            content_type="application/json",
        )
        assert reopened.status_code == 200
        assert reopened.json()["is_completed"] is False

    def test_completing_from_a_stale_copy_is_409(
        self, client, login, people, neighborhoods, data_set, period
    ):
        complete(people.tehran_manager, data_set, neighborhoods.n1, period)
        login(people.secretary)
        response = client.post(
            f"{API}/completions",
            {"data_set": data_set.code, "area_id": neighborhoods.n1.pk, "period": "1402",
             "version": 0},
            content_type="application/json",
        )  # fmt: skip
        assert response.status_code == 409

    def test_another_secretary_gets_403_reopening(
        self, client, login, people, areas, neighborhoods, data_set, period, make_user
    ):
        completion = complete(people.secretary, data_set, neighborhoods.n1, period)
        login(make_user("other-secretary", "council_secretary", areas.district6))
        response = client.post(
            f"{API}/completions/{completion.pk}/reopen", {}, content_type="application/json"
        )
        assert response.status_code == 403

    def test_reporting_rates(self, client, login, people, areas, neighborhoods, data_set, period):
        complete(people.secretary, data_set, neighborhoods.n1, period)
        login(people.tehran_manager)
        body = client.get(
            f"{API}/rates",
            {"data_set": data_set.code, "area_id": areas.district6.pk, "period": "1402"},
        ).json()
        assert body["total"]["expected"] == 3
        assert body["total"]["complete_percent"] == "33.3"
        assert len(body["areas"]) == 3

    def test_an_unknown_period_is_422(self, client, login, people, areas, data_set):
        login(people.tehran_manager)
        response = client.get(
            f"{API}/rates",
            {"data_set": data_set.code, "area_id": areas.district6.pk, "period": "1402Q9"},
        )
        assert response.status_code == 422
