def test_org_fixture_builds_every_role(org, other_org):
    assert org.sales1.path.startswith(org.manager1.path)
    assert other_org.company.code == "beta"
