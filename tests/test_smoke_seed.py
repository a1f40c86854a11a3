from deltaregio.agenda.models import Theme


def test_reference_data_is_loaded_for_tests(db):
    assert Theme.objects.count() >= 8
