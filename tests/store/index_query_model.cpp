#include "store/index_query_model.h"

#include <algorithm>
#include <map>
#include <set>

#include "store/index_contract.h"

namespace arca::store::testing {

using A = QueryAttribute;
using K = MatchKind;

namespace {

std::string number_text(const std::optional<std::int64_t>& n) {
  return n ? std::to_string(*n) : std::string();
}

// The documented order, as a tuple of comparable keys.
auto order(const StoredInstance& s) {
  const auto& x = s.attributes;
  auto num = [](const std::optional<std::int64_t>& n) {
    return std::make_pair(!n.has_value(), n.value_or(0));
  };
  return std::make_tuple(std::string(x.study.study_date), std::string(x.study.study_time),
                         x.study.study_uid.str(), num(x.series.series_number),
                         x.series.series_uid.str(), num(x.instance.instance_number),
                         x.instance.sop_instance_uid.str());
}

}  // namespace

Matcher parsed(A a, std::string_view v) {
  auto p = parse_matcher(a, v);
  EXPECT_TRUE(p.error.empty() && p.matcher.has_value()) << v;
  return p.matcher.value_or(Matcher{});
}

std::string Model::modalities(const StudyUid& study) const {
  std::set<std::string> m;
  for (const auto& s : all)
    if (s.attributes.study.study_uid == study && !s.attributes.series.modality.empty())
      m.insert(s.attributes.series.modality);
  std::string out;
  for (const auto& x : m)
    out += (out.empty() ? "" : "\\") + x;
  return out;
}

std::string Model::value(const StoredInstance& s, A a) const {
  const auto& x = s.attributes;
  switch (a) {
    case A::kPatientId:
      return x.patient.patient_id;
    case A::kIssuerOfPatientId:
      return x.patient.issuer_of_patient_id;
    case A::kPatientName:
      return x.patient.patient_name;
    case A::kPatientBirthDate:
      return x.patient.birth_date;
    case A::kPatientSex:
      return x.patient.sex;
    case A::kStudyUid:
      return x.study.study_uid.str();
    case A::kStudyDate:
      return x.study.study_date;
    case A::kStudyTime:
      return x.study.study_time;
    case A::kAccessionNumber:
      return x.study.accession_number;
    case A::kReferringPhysicianName:
      return x.study.referring_physician_name;
    case A::kStudyDescription:
      return x.study.study_description;
    case A::kStudyId:
      return x.study.study_id;
    case A::kModalitiesInStudy:
      return modalities(x.study.study_uid);
    case A::kSeriesUid:
      return x.series.series_uid.str();
    case A::kModality:
      return x.series.modality;
    case A::kSeriesNumber:
      return number_text(x.series.series_number);
    case A::kSeriesDescription:
      return x.series.series_description;
    case A::kBodyPartExamined:
      return x.series.body_part_examined;
    case A::kSopInstanceUid:
      return x.instance.sop_instance_uid.str();
    case A::kSopClassUid:
      return x.instance.sop_class_uid.str();
    case A::kInstanceNumber:
      return number_text(x.instance.instance_number);
  }
  return {};
}

std::string Model::key(const StoredInstance& s, QueryLevel level) {
  const auto& x = s.attributes;
  switch (level) {
    case QueryLevel::kPatient:
      return x.patient.patient_id;
    case QueryLevel::kStudy:
      return x.study.study_uid.str();
    case QueryLevel::kSeries:
      return x.series.series_uid.str();
    case QueryLevel::kInstance:
      break;
  }
  return x.instance.sop_instance_uid.str();
}

std::vector<std::string> Model::expect(const TenantId& tenant, const Query& q) const {
  std::map<std::string, const StoredInstance*> firsts;  // one representative per row
  for (const auto& s : all)
    if (s.tenant == tenant)
      firsts.try_emplace(key(s, q.level), &s);
  std::vector<const StoredInstance*> rows;
  for (const auto& [k, s] : firsts) {
    bool ok = std::all_of(q.matchers.begin(), q.matchers.end(),
                          [&](const Matcher& m) { return matches(m, value(*s, m.attribute)); });
    if (ok)
      rows.push_back(s);
  }
  std::sort(rows.begin(), rows.end(), [&](const auto* a, const auto* b) {
    if (q.level == QueryLevel::kPatient)
      return key(*a, q.level) < key(*b, q.level);
    auto oa = order(*a), ob = order(*b);
    // study date and time descend, the rest ascends
    if (std::get<0>(oa) != std::get<0>(ob))
      return std::get<0>(oa) > std::get<0>(ob);
    if (std::get<1>(oa) != std::get<1>(ob))
      return std::get<1>(oa) > std::get<1>(ob);
    return oa < ob;
  });
  std::vector<std::string> out;
  for (std::size_t i = q.offset; i < rows.size(); ++i) {
    if (q.limit != 0 && out.size() == q.limit)
      break;
    out.push_back(key(*rows[i], q.level));
  }
  return out;
}

namespace {

struct Generator {
  explicit Generator(std::mt19937& r) : rng(r) {}

  std::mt19937& rng;
  Model model;
  int n = 0;

  const std::vector<std::string> names = {"Doe^John",
                                          "DOE^JANE",
                                          "doe^jim",
                                          "Smith^Anna",
                                          "O'Neil^Pat",
                                          "Per%cent^X",
                                          "Under_Score^Y",
                                          "Bracket[1]^Z",
                                          "M\xc3\xbcller^J",
                                          "Star*Name",
                                          ""};
  const std::vector<std::string> dates = {"20240101", "20240115", "20240131",
                                          "20240201", "19991231", ""};
  const std::vector<std::string> times = {"083000", "120000.5", "", "235959", "120000"};
  const std::vector<std::string> accessions = {"ACC1", "acc1", "ACC_1", "ACC%1", "AXC11", ""};
  const std::vector<std::string> modalities = {"CT", "MR", "US", "SR", ""};
  const std::vector<std::optional<std::int64_t>> numbers = {std::nullopt, 1, 2, 10};

  int some() { return 1 + static_cast<int>(rng() % 3); }

  void add_instances(const StoredInstance& base) {
    const auto& series_uid = base.attributes.series.series_uid.str();
    for (int i = 0, count = some(); i < count; ++i) {
      auto inst = base;
      auto fresh = sample_instance(++n);
      inst.blob = fresh.blob;
      inst.sha256 = fresh.sha256;
      inst.attributes.instance.sop_instance_uid = InstanceUid(series_uid + "." + std::to_string(i));
      inst.attributes.instance.instance_number = pick(rng, numbers);
      inst.attributes.instance.sop_class_uid = SopClassUid(
          pick<std::string>(rng, {"1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.5.1.4.1.1.4"}));
      model.all.push_back(inst);
    }
  }

  void add_series(StoredInstance base) {
    for (int se = 0, count = some(); se < count; ++se) {
      auto& sr = base.attributes.series;
      sr.series_uid = SeriesUid(base.attributes.study.study_uid.str() + "." + std::to_string(se));
      sr.modality = pick(rng, modalities);
      sr.series_number = pick(rng, numbers);
      sr.body_part_examined = pick<std::string>(rng, {"HEAD", "KNEE_L", ""});
      add_instances(base);
    }
  }

  void add_studies(StoredInstance base, const std::string& prefix) {
    for (int s = 0, count = some(); s < count; ++s) {
      auto& st = base.attributes.study;
      st.study_uid = StudyUid(prefix + "." + std::to_string(s));
      st.study_date = pick(rng, dates);
      st.study_time = pick(rng, times);
      st.accession_number = pick(rng, accessions);
      st.referring_physician_name = pick<std::string>(rng, {"Ref^Doc", "REF^DOC", ""});
      st.study_description = pick<std::string>(rng, {"CT HEAD", "ct head", "MR [knee]"});
      add_series(base);
    }
  }

  void add_patient(const std::string& tenant, int p) {
    auto base = sample_instance(0);
    base.tenant = TenantId(tenant);
    base.patient_ref = PatientRef(tenant + "-ref-" + std::to_string(p));
    auto& patient = base.attributes.patient;
    patient.patient_id = (p % 4 == 0 ? "PID_%" : "PID-") + std::to_string(p);
    patient.issuer_of_patient_id = pick<std::string>(rng, {"A", ""});
    patient.patient_name = pick(rng, names);
    patient.birth_date = pick(rng, dates);
    patient.sex = pick<std::string>(rng, {"M", "F", ""});
    add_studies(base, "1.2." + std::to_string(tenant[1]) + "." + std::to_string(p));
  }
};

}  // namespace

Model generate_model(std::mt19937& rng) {
  Generator g(rng);
  for (std::string tenant : {"t1", "t2"}) {
    for (int p = 0; p < 12; ++p)
      g.add_patient(tenant, p);
  }
  std::shuffle(g.model.all.begin(), g.model.all.end(), rng);  // arrival order is arbitrary
  return std::move(g.model);
}

std::vector<Matcher> matcher_pool(const Model& model) {
  const std::vector<std::pair<A, std::string>> values = {
      {A::kPatientName, "doe^john"},
      {A::kPatientName, "*doe*"},
      {A::kPatientName, "DO?^J*"},
      {A::kPatientName, "per%cent*"},
      {A::kPatientName, "*_score*"},
      {A::kPatientName, "*[1]*"},
      {A::kPatientName, "M??LLER*"},
      {A::kPatientName, "M?LLER*"},
      {A::kPatientName, "star\\*"},
      {A::kPatientId, "PID-3"},
      {A::kPatientId, "PID_%*"},
      {A::kPatientId, "PID-1?"},
      {A::kPatientId, "PID%*"},
      {A::kIssuerOfPatientId, "A"},
      {A::kPatientBirthDate, "19800101-"},
      {A::kPatientBirthDate, "-19991231"},
      {A::kPatientBirthDate, "20240115"},
      {A::kPatientSex, "M"},
      {A::kStudyDate, "20240101-20240131"},
      {A::kStudyDate, "-20240115"},
      {A::kStudyDate, "20240201-"},
      {A::kStudyDate, "20240115"},
      {A::kStudyDate, "2024*"},
      {A::kStudyTime, "080000-120000"},
      {A::kStudyTime, "1200-"},
      {A::kAccessionNumber, "ACC1"},
      {A::kAccessionNumber, "ACC_*"},
      {A::kAccessionNumber, "acc*"},
      {A::kAccessionNumber, "ACC%1"},
      {A::kAccessionNumber, "A?C1*"},
      {A::kReferringPhysicianName, "ref^doc"},
      {A::kStudyDescription, "*head*"},
      {A::kStudyDescription, "MR [knee]"},
      {A::kStudyDescription, "*[*"},
      {A::kModalitiesInStudy, "CT"},
      {A::kModalitiesInStudy, "SR"},
      {A::kModalitiesInStudy, "CT\\MR"},
      {A::kModalitiesInStudy, "*MR*"},
      {A::kModality, "MR"},
      {A::kModality, "?T"},
      {A::kSeriesNumber, "1"},
      {A::kSeriesNumber, "01"},
      {A::kSeriesNumber, "10"},
      {A::kSeriesNumber, "1*"},
      {A::kBodyPartExamined, "KNEE_*"},
      {A::kBodyPartExamined, "HEAD"},
      {A::kSopClassUid, "1.2.840.10008.5.1.4.1.1.4"},
      {A::kInstanceNumber, "2"},
      {A::kInstanceNumber, "?"}};
  std::vector<Matcher> m;
  for (const auto& [a, v] : values)
    m.push_back(parsed(a, v));
  // Kinds parse_matcher never builds for these attributes, still defined by domain::matches.
  m.push_back(make_matcher(A::kPatientName, K::kRange, {}, "D", "O"));
  m.push_back(make_matcher(A::kPatientId, K::kUidList, {"PID-1", "PID-2", "PID-x"}));
  m.push_back(make_matcher(A::kStudyDate, K::kRange, {}, "202401", "202401"));
  std::mt19937 rng(7);
  auto uid_list = [&](A a, auto get) {
    Matcher x = make_matcher(a, K::kUidList, {"9.9.9"});
    for (int i = 0; i < 4; ++i)
      x.values.push_back(get(pick(rng, model.all)));
    m.push_back(x);
    m.push_back(make_matcher(a, K::kSingleValue, {x.values[1]}));
  };
  uid_list(A::kStudyUid,
           [](const StoredInstance& s) { return s.attributes.study.study_uid.str(); });
  uid_list(A::kSeriesUid,
           [](const StoredInstance& s) { return s.attributes.series.series_uid.str(); });
  uid_list(A::kSopInstanceUid,
           [](const StoredInstance& s) { return s.attributes.instance.sop_instance_uid.str(); });
  return m;
}

}  // namespace arca::store::testing
