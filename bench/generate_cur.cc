// rebill_generate_cur: writes a deterministic, realistic legacy CUR CSV (or CSV.gz) for
// benchmarks. One payer, ~40 usage accounts (some with leading zeros), one billing month of
// hourly rows, ~193 columns and about 1.2 KB per row.
//
//   rebill_generate_cur ROWS OUTPUT [--gzip] [--seed N] [--accounts N] [--gzip-level N]
//   rebill_generate_cur --list-accounts [--seed N] [--accounts N]
//
// The line item mix is a real payer's: mostly Usage; Savings Plan covered usage with a matching
// SavingsPlanNegation row each and one SavingsPlanRecurringFee row per plan and hour on the
// payer (covered while the plan has commitment left in that hour, spilling to Usage after);
// DiscountedUsage for the payer's Reserved Instances and one RIFee row per RI; AWS tax per
// account and a few credits. Costs are decimal text with up to 10 fractional digits, tiny ones
// in scientific notation ("4.0E-7"), as AWS writes them. Fields with commas or quotes are quoted.
// The same arguments always give the same bytes.
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

// ---------------------------------------------------------------------------------------------
// Columns

const std::vector<std::string> kProductColumns = {"ProductName",
                                                  "availability",
                                                  "availabilityZone",
                                                  "capacitystatus",
                                                  "classicnetworkingsupport",
                                                  "clockSpeed",
                                                  "currentGeneration",
                                                  "databaseEngine",
                                                  "dedicatedEbsThroughput",
                                                  "deploymentOption",
                                                  "description",
                                                  "durability",
                                                  "ecu",
                                                  "edition",
                                                  "engineCode",
                                                  "enhancedNetworkingSupported",
                                                  "eventType",
                                                  "feeCode",
                                                  "feeDescription",
                                                  "fromLocation",
                                                  "fromLocationType",
                                                  "fromRegionCode",
                                                  "gpuMemory",
                                                  "group",
                                                  "groupDescription",
                                                  "instanceFamily",
                                                  "instanceType",
                                                  "instanceTypeFamily",
                                                  "intelAvx2Available",
                                                  "intelAvxAvailable",
                                                  "intelTurboAvailable",
                                                  "licenseModel",
                                                  "location",
                                                  "locationType",
                                                  "logsDestination",
                                                  "marketoption",
                                                  "maxIopsBurstPerformance",
                                                  "maxIopsvolume",
                                                  "maxThroughputvolume",
                                                  "maxVolumeSize",
                                                  "memory",
                                                  "memoryGib",
                                                  "messageDeliveryFrequency",
                                                  "messageDeliveryOrder",
                                                  "minVolumeSize",
                                                  "networkPerformance",
                                                  "normalizationSizeFactor",
                                                  "operatingSystem",
                                                  "operation",
                                                  "physicalCpu",
                                                  "physicalGpu",
                                                  "physicalProcessor",
                                                  "platopricingtype",
                                                  "platovolumetype",
                                                  "preInstalledSw",
                                                  "processorArchitecture",
                                                  "processorFeatures",
                                                  "productFamily",
                                                  "queueType",
                                                  "region",
                                                  "regionCode",
                                                  "requestDescription",
                                                  "requestType",
                                                  "resourceEndpoint",
                                                  "routingTarget",
                                                  "routingType",
                                                  "servicecode",
                                                  "servicename",
                                                  "sku",
                                                  "storage",
                                                  "storageClass",
                                                  "storageMedia",
                                                  "storageType",
                                                  "tenancy",
                                                  "tickettype",
                                                  "tier",
                                                  "toLocation",
                                                  "toLocationType",
                                                  "toRegionCode",
                                                  "transferType",
                                                  "usageFamily",
                                                  "usagetype",
                                                  "vcpu",
                                                  "version",
                                                  "volumeApiName",
                                                  "volumeType",
                                                  "vpcnetworkingsupport",
                                                  "abdInstanceClass",
                                                  "cacheEngine",
                                                  "computeFamily",
                                                  "cputype",
                                                  "datatransferout",
                                                  "directorySize",
                                                  "directoryType",
                                                  "engine",
                                                  "instanceName",
                                                  "io",
                                                  "provisioned",
                                                  "softwareIncluded",
                                                  "subscriptionType"};

const std::vector<std::string> kTagKeys = {
    "user:Application", "user:Backup",      "user:BusinessUnit", "user:Compliance",
    "user:Component",   "user:CostCenter",  "user:Customer",     "user:DataClassification",
    "user:Department",  "user:Environment", "user:ManagedBy",    "user:Name",
    "user:Owner",       "user:Product",     "user:Project",      "user:Schedule",
    "user:Service",     "user:Stack",       "user:Team",         "user:Version"};

std::vector<std::string> AllColumns() {
  std::vector<std::string> c = {
      "identity/LineItemId",     "identity/TimeInterval",        "bill/InvoiceId",
      "bill/InvoicingEntity",    "bill/BillingEntity",           "bill/BillType",
      "bill/PayerAccountId",     "bill/BillingPeriodStartDate",  "bill/BillingPeriodEndDate",
      "lineItem/UsageAccountId", "lineItem/LineItemType",        "lineItem/UsageStartDate",
      "lineItem/UsageEndDate",   "lineItem/ProductCode",         "lineItem/UsageType",
      "lineItem/Operation",      "lineItem/AvailabilityZone",    "lineItem/ResourceId",
      "lineItem/UsageAmount",    "lineItem/NormalizationFactor", "lineItem/NormalizedUsageAmount",
      "lineItem/CurrencyCode",   "lineItem/UnblendedRate",       "lineItem/UnblendedCost",
      "lineItem/BlendedRate",    "lineItem/BlendedCost",         "lineItem/LineItemDescription",
      "lineItem/TaxType",        "lineItem/LegalEntity"};
  for (const std::string& p : kProductColumns) c.push_back("product/" + p);
  for (const char* p :
       {"RateCode", "RateId", "currency", "publicOnDemandCost", "publicOnDemandRate", "term",
        "unit", "LeaseContractLength", "OfferingClass", "PurchaseOption"}) {
    c.push_back(std::string("pricing/") + p);
  }
  for (const char* r : {"AmortizedUpfrontCostForUsage",
                        "AmortizedUpfrontFeeForBillingPeriod",
                        "AvailabilityZone",
                        "EffectiveCost",
                        "EndTime",
                        "ModificationStatus",
                        "NormalizedUnitsPerReservation",
                        "NumberOfReservations",
                        "RecurringFeeForUsage",
                        "ReservationARN",
                        "StartTime",
                        "SubscriptionId",
                        "TotalReservedNormalizedUnits",
                        "TotalReservedUnits",
                        "UnitsPerReservation",
                        "UnusedAmortizedUpfrontFeeForBillingPeriod",
                        "UnusedNormalizedUnitQuantity",
                        "UnusedQuantity",
                        "UnusedRecurringFee",
                        "UpfrontValue"}) {
    c.push_back(std::string("reservation/") + r);
  }
  for (const char* s :
       {"AmortizedUpfrontCommitmentForBillingPeriod", "EndTime", "InstanceTypeFamily",
        "OfferingType", "PaymentOption", "PurchaseTerm", "RecurringCommitmentForBillingPeriod",
        "Region", "SavingsPlanARN", "SavingsPlanEffectiveCost", "SavingsPlanRate", "StartTime",
        "TotalCommitmentToDate", "UsedCommitment"}) {
    c.push_back(std::string("savingsPlan/") + s);
  }
  for (const std::string& t : kTagKeys) c.push_back("resourceTags/" + t);
  return c;
}

const std::vector<std::string> kColumns = AllColumns();

int Col(std::string_view name) {
  static const std::unordered_map<std::string_view, int> index = [] {
    std::unordered_map<std::string_view, int> m;
    for (size_t i = 0; i < kColumns.size(); ++i) m.emplace(kColumns[i], static_cast<int>(i));
    return m;
  }();
  if (auto it = index.find(name); it != index.end()) return it->second;
  std::fprintf(stderr, "rebill_generate_cur: unknown column %.*s\n", static_cast<int>(name.size()),
               name.data());
  std::abort();
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness (splitmix64)

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return Next() % n; }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // picks only

 private:
  uint64_t state_;
};

// ---------------------------------------------------------------------------------------------
// Money: int64 in units of 1e-10 (the CUR's precision)

using Units = int64_t;
constexpr Units kOne = 10'000'000'000;

constexpr Units U(double d) { return static_cast<Units>(d * 1e10 + (d >= 0 ? 0.5 : -0.5)); }

// rate x amount, both in 1e-10 units, truncated to 1e-10.
__extension__ typedef __int128 Wide;
Units Mul(Units rate, Units amount) {
  return static_cast<Units>(static_cast<Wide>(rate) * amount / kOne);
}

// A scratch arena for the text of one row; views into it stay valid until Reset().
class Arena {
 public:
  void Reset() { used_ = 0; }
  char* Take(size_t n) {
    if (used_ + n > sizeof(buf_)) {
      std::fprintf(stderr, "rebill_generate_cur: row text too long\n");
      std::abort();
    }
    char* p = buf_ + used_;
    used_ += n;
    return p;
  }
  std::string_view Copy(std::string_view s) {
    char* p = Take(s.size());
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }

 private:
  char buf_[16384];
  size_t used_ = 0;
};

// Decimal text as AWS writes it: plain with up to 10 fractional digits, trailing zeros
// trimmed; magnitudes below 1e-4 in scientific notation ("4.0E-7", "-1.3E-9").
std::string_view Money(Arena& a, Units v) {
  char tmp[48];
  int n = 0;
  bool neg = v < 0;
  uint64_t m = neg ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v);
  if (m == 0) return "0";
  if (m < 1'000'000) {  // < 1e-4: d.dddE-n
    char digits[24];
    int nd = std::snprintf(digits, sizeof digits, "%llu", static_cast<unsigned long long>(m));
    int exponent = nd - 1 - 10;
    while (nd > 1 && digits[nd - 1] == '0') --nd;
    if (neg) tmp[n++] = '-';
    tmp[n++] = digits[0];
    tmp[n++] = '.';
    if (nd == 1) {
      tmp[n++] = '0';
    } else {
      for (int i = 1; i < nd; ++i) tmp[n++] = digits[i];
    }
    n += std::snprintf(tmp + n, sizeof tmp - static_cast<size_t>(n), "E%d", exponent);
    return a.Copy({tmp, static_cast<size_t>(n)});
  }
  uint64_t whole = m / static_cast<uint64_t>(kOne);
  uint64_t frac = m % static_cast<uint64_t>(kOne);
  n = std::snprintf(tmp, sizeof tmp, "%s%llu", neg ? "-" : "",
                    static_cast<unsigned long long>(whole));
  if (frac != 0) {
    char f[16];
    std::snprintf(f, sizeof f, "%010llu", static_cast<unsigned long long>(frac));
    int nf = 10;
    while (f[nf - 1] == '0') --nf;
    tmp[n++] = '.';
    std::memcpy(tmp + n, f, static_cast<size_t>(nf));
    n += nf;
  }
  return a.Copy({tmp, static_cast<size_t>(n)});
}

std::string_view Int(Arena& a, long long v) {
  char tmp[24];
  int n = std::snprintf(tmp, sizeof tmp, "%lld", v);
  return a.Copy({tmp, static_cast<size_t>(n)});
}

// ---------------------------------------------------------------------------------------------
// What the payer's accounts use

enum class Kind { kInstance, kStorage, kTransfer, kRequests, kDatabase, kOther };

struct Product {
  const char* code;
  const char* name;
  const char* servicecode;
  const char* family;
  const char* usage_type;  // after the region prefix
  const char* operation;
  const char* unit;
  Units rate;  // on-demand, per unit
  Kind kind;
  const char* instance_type;    // instances and databases
  const char* description;      // may contain commas
  int weight;                   // relative share of rows
  Units sp_rate;                // Savings Plan rate, 0 if not eligible
  double amount_lo, amount_hi;  // usage amount range per row
};

// clang-format off
const Product kProducts[] = {
  {"AmazonEC2", "Amazon Elastic Compute Cloud", "AmazonEC2", "Compute Instance", "BoxUsage:m5.large", "RunInstances", "Hrs", U(0.096), Kind::kInstance, "m5.large", "$0.096 per On Demand Linux m5.large Instance Hour", 70, U(0.06), 1, 1},
  {"AmazonEC2", "Amazon Elastic Compute Cloud", "AmazonEC2", "Compute Instance", "BoxUsage:m5.xlarge", "RunInstances", "Hrs", U(0.192), Kind::kInstance, "m5.xlarge", "$0.192 per On Demand Linux m5.xlarge Instance Hour", 50, U(0.12), 1, 1},
  {"AmazonEC2", "Amazon Elastic Compute Cloud", "AmazonEC2", "Compute Instance", "BoxUsage:c5.large", "RunInstances", "Hrs", U(0.085), Kind::kInstance, "c5.large", "$0.085 per On Demand Linux c5.large Instance Hour", 45, U(0.056), 1, 1},
  {"AmazonEC2", "Amazon Elastic Compute Cloud", "AmazonEC2", "Compute Instance", "BoxUsage:r5.large", "RunInstances", "Hrs", U(0.126), Kind::kInstance, "r5.large", "$0.126 per On Demand Linux r5.large Instance Hour", 40, U(0.079), 1, 1},
  {"AmazonEC2", "Amazon Elastic Compute Cloud", "AmazonEC2", "Compute Instance", "BoxUsage:t3.medium", "RunInstances", "Hrs", U(0.0416), Kind::kInstance, "t3.medium", "$0.0416 per On Demand Linux t3.medium Instance Hour", 60, U(0.0292), 1, 1},
  {"AmazonEC2", "Amazon Elastic Compute Cloud", "AmazonEC2", "Compute Instance", "BoxUsage:m6i.2xlarge", "RunInstances:0002", "Hrs", U(0.752), Kind::kInstance, "m6i.2xlarge", "$0.752 per On Demand Windows m6i.2xlarge Instance Hour", 15, U(0.61), 1, 1},
  {"AmazonEC2", "Amazon Elastic Compute Cloud", "AmazonEC2", "Storage", "EBS:VolumeUsage.gp3", "CreateVolume-Gp3", "GB-Mo", U(0.08), Kind::kStorage, "", "$0.08 per GB-month of General Purpose (gp3) provisioned storage - US East (Northern Virginia)", 90, 0, 0.01, 1.5},
  {"AmazonEC2", "Amazon Elastic Compute Cloud", "AmazonEC2", "Storage Snapshot", "EBS:SnapshotUsage", "CreateSnapshot", "GB-Mo", U(0.05), Kind::kStorage, "", "$0.05 per GB-Month of snapshot data stored - US East (Northern Virginia)", 30, 0, 0.001, 2.0},
  {"AmazonEC2", "Amazon Elastic Compute Cloud", "AmazonEC2", "Data Transfer", "DataTransfer-Regional-Bytes", "InterZone-In", "GB", U(0.01), Kind::kTransfer, "", "$0.010 per GB - regional data transfer - in/out/between EC2 AZs or using elastic IPs or ELB", 60, 0, 0.0000001, 3.0},
  {"AmazonVPC", "Amazon Virtual Private Cloud", "AmazonVPC", "NAT Gateway", "NatGateway-Hours", "NatGateway", "Hrs", U(0.045), Kind::kOther, "", "$0.045 per NAT Gateway Hour", 25, 0, 1, 1},
  {"AmazonS3", "Amazon Simple Storage Service", "AmazonS3", "Storage", "TimedStorage-ByteHrs", "StandardStorage", "GB-Mo", U(0.023), Kind::kStorage, "", "$0.023 per GB - first 50 TB / month of storage used", 80, 0, 0.0001, 40.0},
  {"AmazonS3", "Amazon Simple Storage Service", "AmazonS3", "API Request", "Requests-Tier1", "PutObject", "Requests", U(0.000005), Kind::kRequests, "", "$0.005 per 1,000 PUT, COPY, POST, or LIST requests", 50, 0, 1, 20000},
  {"AmazonS3", "Amazon Simple Storage Service", "AmazonS3", "API Request", "Requests-Tier2", "GetObject", "Requests", U(0.0000004), Kind::kRequests, "", "$0.004 per 10,000 GET and all other requests", 50, 0, 1, 50000},
  {"AWSLambda", "AWS Lambda", "AWSLambda", "Serverless", "Request", "Invoke", "Requests", U(0.0000002), Kind::kRequests, "", "AWS Lambda - Total Requests - US East (Northern Virginia)", 45, 0, 1, 200000},
  {"AWSLambda", "AWS Lambda", "AWSLambda", "Serverless", "Lambda-GB-Second", "Invoke", "Lambda-GB-Second", U(0.0000166667), Kind::kRequests, "", "AWS Lambda - Total Compute - US East (Northern Virginia)", 45, 0, 0.1, 90000},
  {"AmazonRDS", "Amazon Relational Database Service", "AmazonRDS", "Database Instance", "InstanceUsage:db.r5.large", "CreateDBInstance:0002", "Hrs", U(0.25), Kind::kDatabase, "db.r5.large", "$0.25 per RDS db.r5.large Single-AZ instance hour (or partial hour) running MySQL", 30, 0, 1, 1},
  {"AmazonRDS", "Amazon Relational Database Service", "AmazonRDS", "Database Storage", "RDS:GP2-Storage", "CreateDBInstance:0002", "GB-Mo", U(0.115), Kind::kStorage, "", "$0.115 per GB-month of provisioned gp2 storage running MySQL", 20, 0, 0.05, 1.0},
  {"AmazonDynamoDB", "Amazon DynamoDB", "AmazonDynamoDB", "Amazon DynamoDB PayPerRequest Throughput", "ReadRequestUnits", "GetItem", "ReadRequestUnits", U(0.00000025), Kind::kRequests, "", "$0.25 per million read request units (US East, N. Virginia)", 35, 0, 1, 100000},
  {"AmazonCloudWatch", "AmazonCloudWatch", "AmazonCloudWatch", "Metric", "CW:MetricMonitorUsage", "MetricStorage", "Metrics", U(0.3), Kind::kOther, "", "$0.30 per metric-month for the first 10,000 metrics", 30, 0, 0.001, 0.05},
  {"AmazonCloudWatch", "AmazonCloudWatch", "AmazonCloudWatch", "Data Payload", "DataProcessing-Bytes", "PutLogEvents", "GB", U(0.5), Kind::kTransfer, "", "$0.50 per GB custom log data ingested, first 10 TB", 30, 0, 0.0000001, 0.5},
  {"AWSELB", "Elastic Load Balancing", "AWSELB", "Load Balancer-Application", "LoadBalancerUsage", "LoadBalancing:Application", "Hrs", U(0.0225), Kind::kOther, "", "$0.0225 per Application LoadBalancer-hour (or partial hour)", 20, 0, 1, 1},
  {"AmazonECS", "Amazon Elastic Container Service", "AmazonECS", "Compute", "Fargate-vCPU-Hours:perCPU", "FargateTask", "hours", U(0.04048), Kind::kOther, "", "AWS Fargate - vCPU - US East (Northern Virginia)", 25, U(0.0323), 0.25, 4},
  {"AmazonEKS", "Amazon Elastic Container Service for Kubernetes", "AmazonEKS", "Compute", "AmazonEKS-Hours:perCluster", "CreateOperation", "Hrs", U(0.1), Kind::kOther, "", "Amazon EKS cluster usage in US East (N. Virginia)", 10, 0, 1, 1},
  {"AmazonCloudFront", "Amazon CloudFront", "AmazonCloudFront", "Data Transfer", "DataTransfer-Out-Bytes", "GET", "GB", U(0.085), Kind::kTransfer, "", "$0.085 per GB - first 10 TB / month data transfer out beyond the global free tier", 20, 0, 0.0000001, 5},
  {"AmazonSQS", "Amazon Simple Queue Service", "AWSQueueService", "API Request", "Requests-RBP", "SendMessage", "Requests", U(0.0000004), Kind::kRequests, "", "$0.40 per million Amazon SQS standard requests, first 100 billion", 25, 0, 1, 30000},
  {"AmazonSNS", "Amazon Simple Notification Service", "AmazonSNS", "API Request", "Requests-Tier1", "Publish", "Requests", U(0.0000005), Kind::kRequests, "", "$0.50 per 1 million Amazon SNS API Requests, first 1 million free", 15, 0, 1, 10000},
  {"AmazonElastiCache", "Amazon ElastiCache", "AmazonElastiCache", "Cache Instance", "NodeUsage:cache.r6g.large", "CreateCacheCluster:0002", "Hrs", U(0.206), Kind::kDatabase, "cache.r6g.large", "$0.206 per Redis cache.r6g.large node-hour (or partial hour)", 10, 0, 1, 1},
  {"AWSCloudTrail", "AWS CloudTrail", "AWSCloudTrail", "Management Tools - AWS CloudTrail Data Events Recorded", "DataEventsRecorded", "None", "Events", U(0.000001), Kind::kRequests, "", "0.1 USD per 100,000 data events recorded", 10, 0, 1, 5000},
};
// clang-format on

struct Region {
  const char* code;
  const char* prefix;
  const char* location;
  const char* az;
};
const Region kRegions[] = {
    {"us-east-1", "USE1-", "US East (N. Virginia)", "us-east-1a"},
    {"us-east-1", "USE1-", "US East (N. Virginia)", "us-east-1b"},
    {"us-west-2", "USW2-", "US West (Oregon)", "us-west-2a"},
    {"eu-central-1", "EUC1-", "EU (Frankfurt)", "eu-central-1b"},
    {"eu-west-1", "EU-", "EU (Ireland)", "eu-west-1c"},
    {"ap-southeast-2", "APS2-", "Asia Pacific (Sydney)", "ap-southeast-2a"},
};

const char* const kEnvironments[] = {"production", "staging", "development", "test", "sandbox"};
const char* const kTeams[] = {"platform",    "data",     "web, mobile", "payments",
                              "ml-research", "security", "identity"};
const char* const kApps[] = {"checkout",  "catalog",      "search-api",    "etl-nightly",
                             "reporting", "auth-service", "notifications", "\"legacy\" billing"};

// ---------------------------------------------------------------------------------------------
// Output

class Output {
 public:
  Output(const std::string& path, bool gzip, int level) : gzip_(gzip) {
    if (gzip_) {
      gz_ = gzopen(path.c_str(), ("wb" + std::to_string(level)).c_str());
      if (gz_ == nullptr) Die(path);
      gzbuffer(gz_, 1 << 20);
    } else {
      file_ = std::fopen(path.c_str(), "wb");
      if (file_ == nullptr) Die(path);
    }
    buf_.reserve(kFlushAt + 65536);
  }
  void Append(std::string_view s) { buf_.append(s); }
  void Put(char c) { buf_.push_back(c); }
  void MaybeFlush() {
    if (buf_.size() >= kFlushAt) Flush();
  }
  void Close() {
    Flush();
    if (gzip_) {
      if (gzclose(gz_) != Z_OK) Die("gzclose");
    } else if (std::fclose(file_) != 0) {
      Die("fclose");
    }
  }
  uint64_t bytes() const { return bytes_ + buf_.size(); }

 private:
  static constexpr size_t kFlushAt = 4 << 20;
  [[noreturn]] static void Die(const std::string& what) {
    std::perror(("rebill_generate_cur: " + what).c_str());
    std::exit(1);
  }
  void Flush() {
    if (buf_.empty()) return;
    if (gzip_) {
      if (gzwrite(gz_, buf_.data(), static_cast<unsigned>(buf_.size())) !=
          static_cast<int>(buf_.size())) {
        Die("gzwrite");
      }
    } else if (std::fwrite(buf_.data(), 1, buf_.size(), file_) != buf_.size()) {
      Die("write");
    }
    bytes_ += buf_.size();
    buf_.clear();
  }
  bool gzip_;
  gzFile gz_ = nullptr;
  FILE* file_ = nullptr;
  std::string buf_;
  uint64_t bytes_ = 0;
};

// ---------------------------------------------------------------------------------------------
// The generator

constexpr int kHours = 744;  // October 2026
constexpr const char* kPeriodStart = "2026-10-01T00:00:00Z";
constexpr const char* kPeriodEnd = "2026-11-01T00:00:00Z";
constexpr const char* kPayer = "999988887777";

std::vector<std::string> MakeAccounts(uint64_t seed, int count) {
  std::vector<std::string> out = {"011111111111", "001234567890", "000987654321", "044455566677"};
  Rng rng(seed ^ 0xACC0);
  char id[16];
  while (static_cast<int>(out.size()) < count) {
    std::snprintf(id, sizeof id, "%012llu",
                  static_cast<unsigned long long>(100000000000ULL + rng.Below(899999999999ULL)));
    if (std::find(out.begin(), out.end(), id) == out.end()) out.emplace_back(id);
  }
  out.resize(static_cast<size_t>(count));
  return out;
}

struct SavingsPlan {
  std::string arn;
  const char* offering;
  const char* payment;
  const char* family;  // EC2 Instance SP: instance family; "" for Compute SP
  const char* region;  // EC2 Instance SP region
  Units commitment;    // per hour
  Units used = 0;      // in the current hour
};

struct Reservation {
  std::string arn;
  std::string subscription;
  const Product* product;
  const Region* region;
  int count;
  Units upfront_per_hour;
  Units recurring_per_hour;
  long used_hours = 0;
};

class Generator {
 public:
  Generator(uint64_t seed, int accounts, uint64_t rows, Output& out)
      : rng_(seed), rows_(rows), out_(out), accounts_(MakeAccounts(seed, accounts)) {
    row_.assign(kColumns.size(), std::string_view());
    for (const Product& p : kProducts) total_weight_ += p.weight;
    // Account sizes are skewed like a real reseller's: a few big customers, a long tail.
    for (size_t i = 0; i < accounts_.size(); ++i) {
      account_weight_.push_back(1 + static_cast<int>(60 / (1 + i)) +
                                static_cast<int>(rng_.Below(5)));
      total_account_weight_ += account_weight_.back();
    }
    for (size_t i = 0; i < kColumns.size(); ++i) {
      const std::string& c = kColumns[i];
      if (c.rfind("product/", 0) == 0) product_cols_.push_back(static_cast<int>(i));
      if (c.rfind("resourceTags/", 0) == 0) tag_cols_.push_back(static_cast<int>(i));
    }
    // Commitments sized so that a plan is mostly used, sometimes short and sometimes spilling.
    double slots_per_hour = static_cast<double>(rows_) / kHours;
    double instance_share = 0;
    for (const Product& p : kProducts) {
      if (p.kind == Kind::kInstance) instance_share += p.weight;
    }
    instance_share /= static_cast<double>(total_weight_);
    Units per_hour = static_cast<Units>(slots_per_hour * instance_share * 0.30 * 0.09 * 1e10);
    sps_.push_back({"arn:aws:savingsplans::" + std::string(kPayer) +
                        ":savingsplan/5f1c2e8a-7d3b-4a90-b6c1-2e9f0a4d7c31",
                    "ComputeSavingsPlans", "No Upfront", "", "",
                    std::max<Units>(per_hour, U(0.5))});
    sps_.push_back({"arn:aws:savingsplans::" + std::string(kPayer) +
                        ":savingsplan/0c93b7d4-1e2f-4f6a-8b5d-93a1c7e2f604",
                    "EC2InstanceSavingsPlans", "Partial Upfront", "m5", "us-east-1",
                    std::max<Units>(per_hour / 3, U(0.2))});
    // Reserved Instances on the payer, used by whichever account runs the matching instance.
    const Product* r5 = &kProducts[3];
    const Product* c5 = &kProducts[2];
    long instance_rows = static_cast<long>(slots_per_hour * kHours * instance_share);
    int ri_count = std::max(1, static_cast<int>(instance_rows / 744 / 60));
    int n = 0;
    for (const Product* p : {r5, c5}) {
      for (int r = 0; r < 4; ++r) {
        char arn[160], sub[24];
        std::snprintf(
            arn, sizeof arn, "arn:aws:ec2:%s:%s:reserved-instances/%08llx-%04x-4%03x-a%03x-%012llx",
            kRegions[r].code, kPayer, static_cast<unsigned long long>(rng_.Below(1ULL << 32)),
            static_cast<unsigned>(rng_.Below(65536)), static_cast<unsigned>(rng_.Below(4096)),
            static_cast<unsigned>(rng_.Below(4096)),
            static_cast<unsigned long long>(rng_.Below(1ULL << 48)));
        std::snprintf(sub, sizeof sub, "%llu", 5000000000ULL + rng_.Below(999999999));
        reservations_.push_back(
            {arn, sub, p, &kRegions[r], ri_count + n % 3, p->rate * 35 / 100, p->rate * 25 / 100});
        ++n;
      }
    }
  }

  void Run() {
    Header();
    const uint64_t monthly_rows = reservations_.size() + accounts_.size() + kCredits;
    const uint64_t fee_rows = static_cast<uint64_t>(kHours) * sps_.size();
    if (rows_ < monthly_rows + fee_rows + kHours) {
      std::fprintf(stderr, "rebill_generate_cur: ROWS must be at least %llu\n",
                   static_cast<unsigned long long>(monthly_rows + fee_rows + kHours));
      std::exit(2);
    }
    const uint64_t slots = rows_ - monthly_rows - fee_rows;
    uint64_t done = 0;
    for (int h = 0; h < kHours; ++h) {
      uint64_t until = slots * static_cast<uint64_t>(h + 1) / kHours;
      SetHour(h);
      for (SavingsPlan& sp : sps_) sp.used = 0;
      while (done < until) done += UsageRow(until - done);
      for (SavingsPlan& sp : sps_) SpFeeRow(sp);
    }
    SetMonth();
    for (Reservation& ri : reservations_) RiFeeRow(ri);
    for (size_t a = 0; a < accounts_.size(); ++a) TaxRow(a);
    for (int c = 0; c < kCredits; ++c) CreditRow(c);
  }

  uint64_t written() const { return written_; }

 private:
  static constexpr int kCredits = 12;

  void Header() {
    for (size_t i = 0; i < kColumns.size(); ++i) {
      if (i) out_.Put(',');
      out_.Append(kColumns[i]);
    }
    out_.Put('\n');
  }

  void SetHour(int h) {
    int day = 1 + h / 24, hour = h % 24;
    std::snprintf(start_, sizeof start_, "2026-10-%02dT%02d:00:00Z", day, hour);
    if (h + 1 == kHours) {
      std::snprintf(end_, sizeof end_, "%s", kPeriodEnd);
    } else {
      std::snprintf(end_, sizeof end_, "2026-10-%02dT%02d:00:00Z", 1 + (h + 1) / 24, (h + 1) % 24);
    }
    std::snprintf(interval_, sizeof interval_, "%s/%s", start_, end_);
  }

  void SetMonth() {
    std::snprintf(start_, sizeof start_, "%s", kPeriodStart);
    std::snprintf(end_, sizeof end_, "%s", kPeriodEnd);
    std::snprintf(interval_, sizeof interval_, "%s/%s", start_, end_);
  }

  void Set(std::string_view column, std::string_view value) { row_[Col(column)] = value; }
  void SetAt(int column, std::string_view value) { row_[column] = value; }

  void Begin(const char* account, const char* type) {
    std::fill(row_.begin(), row_.end(), std::string_view());
    arena_.Reset();
    // 52-character base32 line item id, like AWS's.
    static constexpr char kB32[] = "abcdefghijklmnopqrstuvwxyz234567";
    char* id = arena_.Take(52);
    uint64_t bits = 0;
    for (int i = 0; i < 52; ++i) {
      if (i % 12 == 0) bits = rng_.Next();
      id[i] = kB32[bits & 31];
      bits >>= 5;
    }
    SetAt(c_.id, {id, 52});
    SetAt(c_.interval, interval_);
    SetAt(c_.invoicing_entity, "Amazon Web Services, Inc.");
    SetAt(c_.billing_entity, "AWS");
    SetAt(c_.bill_type, "Anniversary");
    SetAt(c_.payer, kPayer);
    SetAt(c_.period_start, kPeriodStart);
    SetAt(c_.period_end, kPeriodEnd);
    SetAt(c_.account, account);
    SetAt(c_.type, type);
    SetAt(c_.start, start_);
    SetAt(c_.end, end_);
    SetAt(c_.currency, "USD");
    SetAt(c_.legal_entity, "Amazon Web Services, Inc.");
  }

  void Emit() {
    for (size_t i = 0; i < row_.size(); ++i) {
      if (i) out_.Put(',');
      std::string_view v = row_[i];
      if (v.find_first_of(",\"\n") == std::string_view::npos) {
        out_.Append(v);
        continue;
      }
      out_.Put('"');
      for (char ch : v) {
        if (ch == '"') out_.Put('"');
        out_.Put(ch);
      }
      out_.Put('"');
    }
    out_.Put('\n');
    out_.MaybeFlush();
    ++written_;
  }

  size_t PickAccount() {
    long w = static_cast<long>(rng_.Below(static_cast<uint64_t>(total_account_weight_)));
    for (size_t i = 0; i < account_weight_.size(); ++i) {
      w -= account_weight_[i];
      if (w < 0) return i;
    }
    return account_weight_.size() - 1;
  }

  const Product& PickProduct() {
    long w = static_cast<long>(rng_.Below(static_cast<uint64_t>(total_weight_)));
    for (const Product& p : kProducts) {
      w -= p.weight;
      if (w < 0) return p;
    }
    return kProducts[0];
  }

  // Product attributes of a row: the common ones plus the product kind's own.
  void ProductColumns(const Product& p, const Region& r, std::string_view usage_type) {
    Set("product/ProductName", p.name);
    Set("product/servicecode", p.servicecode);
    Set("product/servicename", p.name);
    Set("product/productFamily", p.family);
    Set("product/region", r.code);
    Set("product/regionCode", r.code);
    Set("product/location", r.location);
    Set("product/locationType", "AWS Region");
    Set("product/usagetype", usage_type);
    Set("product/operation", p.operation);
    char sku[17];
    uint64_t h = (static_cast<uint64_t>(&p - kProducts + 1) * 0x9E3779B97F4A7C15ULL) ^
                 (static_cast<uint64_t>(&r - kRegions + 1) * 0xBF58476D1CE4E5B9ULL);
    for (int i = 0; i < 16; ++i, h >>= 4) sku[i] = "ABCDEFGHJKMNPQRSTUVWXYZ234567890"[h & 31];
    sku[16] = 0;
    std::string_view sku_view = arena_.Copy({sku, 16});
    Set("product/sku", sku_view);
    char rate_code[64];
    int n = std::snprintf(rate_code, sizeof rate_code, "%s.JRTCKXETXF.6YS6EN2CT7", sku);
    Set("pricing/RateCode", arena_.Copy({rate_code, static_cast<size_t>(n)}));
    Set("pricing/RateId", Int(arena_, static_cast<long long>(1000000000 + (h % 899999999))));
    switch (p.kind) {
      case Kind::kInstance:
        Set("product/instanceType", p.instance_type);
        Set("product/instanceFamily", "General purpose");
        Set("product/instanceTypeFamily", std::string_view(p.instance_type).substr(0, 2));
        Set("product/vcpu", "2");
        Set("product/memory", "8 GiB");
        Set("product/physicalProcessor", "Intel Xeon Platinum 8175");
        Set("product/clockSpeed", "3.1 GHz");
        Set("product/networkPerformance", "Up to 10 Gigabit");
        Set("product/storage", "EBS only");
        Set("product/operatingSystem",
            std::string_view(p.operation).find(":0002") != std::string_view::npos ? "Windows"
                                                                                  : "Linux");
        Set("product/tenancy", "Shared");
        Set("product/licenseModel", "No License required");
        Set("product/preInstalledSw", "NA");
        Set("product/capacitystatus", "Used");
        Set("product/currentGeneration", "Yes");
        Set("product/processorArchitecture", "64-bit");
        Set("product/processorFeatures", "Intel AVX, Intel AVX2, Intel AVX512, Intel Turbo");
        Set("product/ecu", "10");
        Set("product/normalizationSizeFactor", "4");
        Set("product/marketoption", "OnDemand");
        Set("product/dedicatedEbsThroughput", "Up to 4750 Mbps");
        Set("product/enhancedNetworkingSupported", "Yes");
        Set("product/intelAvxAvailable", "Yes");
        Set("product/intelAvx2Available", "Yes");
        Set("product/intelTurboAvailable", "Yes");
        Set("product/vpcnetworkingsupport", "true");
        Set("product/classicnetworkingsupport", "false");
        break;
      case Kind::kDatabase:
        Set("product/instanceType", p.instance_type);
        Set("product/databaseEngine", "MySQL");
        Set("product/deploymentOption", "Single-AZ");
        Set("product/engineCode", "2");
        Set("product/vcpu", "2");
        Set("product/memory", "16 GiB");
        Set("product/currentGeneration", "Yes");
        Set("product/licenseModel", "No license required");
        Set("product/networkPerformance", "Up to 10 Gigabit");
        break;
      case Kind::kStorage:
        Set("product/storageClass", "General Purpose");
        Set("product/storageMedia", "SSD-backed");
        Set("product/volumeApiName", "gp3");
        Set("product/volumeType", "General Purpose");
        Set("product/maxIopsvolume", "16000");
        Set("product/maxThroughputvolume", "1000 MiB/s");
        Set("product/durability", "99.999999999%");
        Set("product/availability", "99.99%");
        break;
      case Kind::kTransfer:
        Set("product/fromLocation", r.location);
        Set("product/fromLocationType", "AWS Region");
        Set("product/fromRegionCode", r.code);
        Set("product/toLocation", "External");
        Set("product/toLocationType", "Other");
        Set("product/transferType", "AWS Outbound");
        break;
      case Kind::kRequests:
        Set("product/group", p.operation);
        Set("product/groupDescription", p.description);
        Set("product/requestType", "API Request");
        break;
      case Kind::kOther:
        Set("product/group", p.family);
        Set("product/usageFamily", p.family);
        break;
    }
  }

  void Tags(size_t account) {
    // Most resources carry some tags; cost centre values follow the account.
    if (rng_.Below(10) < 2) return;
    char cc[16];
    int n = std::snprintf(cc, sizeof cc, "cc-%03d", static_cast<int>(100 + account * 7 % 40));
    Set("resourceTags/user:CostCenter", arena_.Copy({cc, static_cast<size_t>(n)}));
    Set("resourceTags/user:Environment", kEnvironments[rng_.Below(5)]);
    Set("resourceTags/user:Team", kTeams[rng_.Below(7)]);
    Set("resourceTags/user:Application", kApps[rng_.Below(8)]);
    Set("resourceTags/user:Customer", cc[3] < '2' ? "internal" : "external-shared-services");
    if (rng_.Below(2) == 0) Set("resourceTags/user:Schedule", "office-hours");
    if (rng_.Below(4) != 0) {
      Set("resourceTags/user:Owner", "cloud-ops@example.com");
      Set("resourceTags/user:ManagedBy", "terraform");
      Set("resourceTags/user:Project", "phoenix");
    }
    if (rng_.Below(3) == 0) {
      Set("resourceTags/user:Name", "web-server-asg-node");
      Set("resourceTags/user:Backup", "daily");
    }
    if (rng_.Below(3) != 0) {
      Set("resourceTags/user:Department", "engineering");
      Set("resourceTags/user:BusinessUnit", "retail");
      Set("resourceTags/user:Service", kApps[rng_.Below(8)]);
      Set("resourceTags/user:Stack", "eks-prod-eu-central-1");
      Set("resourceTags/user:Version", "v2.14.3");
      Set("resourceTags/user:DataClassification", "internal");
    }
  }

  // A usage row in the current hour. Returns the rows written (2 for covered usage with its
  // negation; `room` is how many rows the hour still has).
  uint64_t UsageRow(uint64_t room) {
    size_t a = PickAccount();
    const Product& p = PickProduct();
    const Region& r = kRegions[rng_.Below(sizeof kRegions / sizeof kRegions[0])];
    Units amount = kOne;
    if (p.amount_lo != p.amount_hi) {
      double x = p.amount_lo + (p.amount_hi - p.amount_lo) * rng_.Unit() * rng_.Unit();
      amount = static_cast<Units>(x * 1e10);
      if (p.kind == Kind::kRequests && p.unit[0] == 'R') amount = amount / kOne * kOne;  // whole
      if (amount <= 0) amount = 1;
    }
    Units cost = Mul(p.rate, amount);

    // Which commitment covers it, if any.
    const char* type = "Usage";
    SavingsPlan* sp = nullptr;
    Reservation* ri = nullptr;
    if (p.kind == Kind::kInstance && room >= 2) {
      for (Reservation& res : reservations_) {
        if (res.product == &p && res.region->code == r.code &&
            res.used_hours < static_cast<long>(res.count) * kHours && rng_.Below(10) < 7) {
          ri = &res;
          type = "DiscountedUsage";
          break;
        }
      }
    }
    if (ri == nullptr && p.sp_rate != 0 && room >= 2 && rng_.Below(100) < 45) {
      Units effective = Mul(p.sp_rate, amount);
      // The most specific plan (EC2 Instance) applies first, then the Compute plan.
      for (auto it = sps_.rbegin(); it != sps_.rend(); ++it) {
        SavingsPlan& s = *it;
        bool fits = s.family[0] == 0 ||
                    (std::string_view(p.usage_type).find(s.family) != std::string_view::npos &&
                     std::string_view(r.code) == s.region);
        if (fits && s.used + effective <= s.commitment) {
          sp = &s;
          type = "SavingsPlanCoveredUsage";
          break;
        }
      }
    }

    Begin(accounts_[a].c_str(), type);
    char ut[96];
    int n = std::snprintf(ut, sizeof ut, "%s%s", r.prefix, p.usage_type);
    std::string_view usage_type = arena_.Copy({ut, static_cast<size_t>(n)});
    SetAt(c_.product_code, p.code);
    SetAt(c_.usage_type, usage_type);
    SetAt(c_.operation, p.operation);
    if (p.kind == Kind::kInstance || p.kind == Kind::kDatabase || p.kind == Kind::kStorage) {
      SetAt(c_.az, r.az);
    }
    if (rng_.Below(10) < 7) {
      char res[160];
      if (p.kind == Kind::kInstance) {
        n = std::snprintf(res, sizeof res, "i-0%016llx",
                          static_cast<unsigned long long>(rng_.Below(1ULL << 60)));
      } else {
        n = std::snprintf(
            res, sizeof res, "arn:aws:%s:%s:%s:%s/%s-%06llu",
            std::string_view(p.servicecode).substr(0, 6) == "Amazon" ? "service" : "svc", r.code,
            accounts_[a].c_str(), p.family[0] == 'S' ? "volume" : "resource", "app",
            static_cast<unsigned long long>(rng_.Below(1000000)));
      }
      SetAt(c_.resource, arena_.Copy({res, static_cast<size_t>(n)}));
    }
    SetAt(c_.usage_amount, Money(arena_, amount));
    SetAt(c_.description, p.description);
    ProductColumns(p, r, usage_type);
    Set("pricing/currency", "USD");
    Set("pricing/unit", p.unit);
    Set("pricing/publicOnDemandRate", Money(arena_, p.rate));
    Set("pricing/publicOnDemandCost", Money(arena_, cost));
    Set("pricing/term", "OnDemand");
    if (p.kind == Kind::kInstance) {
      SetAt(c_.norm_factor, "4");
      SetAt(c_.norm_amount, Money(arena_, amount * 4));
    }
    Tags(a);

    if (ri != nullptr) {
      ri->used_hours += 1;
      Units upfront = Mul(ri->upfront_per_hour, amount),
            recurring = Mul(ri->recurring_per_hour, amount);
      SetAt(c_.unblended_rate, "0");
      SetAt(c_.unblended_cost, "0");
      SetAt(c_.blended_rate, "0");
      SetAt(c_.blended_cost, "0");
      char desc[96];
      n = std::snprintf(
          desc, sizeof desc, "USD %s hourly fee per Linux/UNIX (Amazon VPC), %s instance",
          std::string(Money(arena_, ri->recurring_per_hour)).c_str(), p.instance_type);
      SetAt(c_.description, arena_.Copy({desc, static_cast<size_t>(n)}));
      Set("pricing/term", "Reserved");
      Set("pricing/LeaseContractLength", "1yr");
      Set("pricing/OfferingClass", "standard");
      Set("pricing/PurchaseOption", "Partial Upfront");
      Set("reservation/ReservationARN", ri->arn);
      Set("reservation/AmortizedUpfrontCostForUsage", Money(arena_, upfront));
      Set("reservation/RecurringFeeForUsage", Money(arena_, recurring));
      Set("reservation/EffectiveCost", Money(arena_, upfront + recurring));
      Emit();
      return 1;
    }
    SetAt(c_.unblended_rate, Money(arena_, p.rate));
    SetAt(c_.unblended_cost, Money(arena_, cost));
    SetAt(c_.blended_rate, Money(arena_, p.rate));
    SetAt(c_.blended_cost, Money(arena_, cost));
    if (sp == nullptr) {
      Emit();
      return 1;
    }
    Units effective = Mul(p.sp_rate, amount);
    sp->used += effective;
    SpColumns(*sp);
    Set("savingsPlan/SavingsPlanRate", Money(arena_, p.sp_rate));
    Set("savingsPlan/SavingsPlanEffectiveCost", Money(arena_, effective));
    if (sp->family[0] != 0) Set("savingsPlan/InstanceTypeFamily", sp->family);
    Emit();
    // The negation cancels the covered row's on-demand cost in the same hour.
    SetAt(c_.id, NewId());
    SetAt(c_.type, "SavingsPlanNegation");
    SetAt(c_.unblended_rate, Money(arena_, -p.rate));
    SetAt(c_.unblended_cost, Money(arena_, -cost));
    SetAt(c_.blended_rate, "");
    SetAt(c_.blended_cost, "");
    SetAt(c_.usage_amount, "0");
    SetAt(c_.resource, "");
    char neg[160];
    n = std::snprintf(neg, sizeof neg,
                      "SavingsPlanNegation used by AccountId : %s and UsageType : %s",
                      accounts_[a].c_str(), ut);
    SetAt(c_.description, arena_.Copy({neg, static_cast<size_t>(n)}));
    Set("pricing/publicOnDemandCost", "");
    Set("pricing/publicOnDemandRate", "");
    Set("savingsPlan/SavingsPlanRate", "");
    Set("savingsPlan/SavingsPlanEffectiveCost", "");
    Emit();
    return 2;
  }

  std::string_view NewId() {
    static constexpr char kB32[] = "abcdefghijklmnopqrstuvwxyz234567";
    char* id = arena_.Take(52);
    uint64_t bits = 0;
    for (int i = 0; i < 52; ++i) {
      if (i % 12 == 0) bits = rng_.Next();
      id[i] = kB32[bits & 31];
      bits >>= 5;
    }
    return {id, 52};
  }

  void SpColumns(const SavingsPlan& sp) {
    Set("savingsPlan/SavingsPlanARN", sp.arn);
    Set("savingsPlan/OfferingType", sp.offering);
    Set("savingsPlan/PaymentOption", sp.payment);
    Set("savingsPlan/PurchaseTerm", "1yr");
    Set("savingsPlan/Region", sp.region[0] ? sp.region : "");
    Set("savingsPlan/StartTime", "2026-02-14T09:00:00Z");
    Set("savingsPlan/EndTime", "2027-02-14T08:59:59Z");
  }

  void SpFeeRow(const SavingsPlan& sp) {
    Begin(kPayer, "SavingsPlanRecurringFee");
    bool partial = sp.payment[0] == 'P';
    Units recurring = partial ? sp.commitment / 2 : sp.commitment;
    Units upfront = sp.commitment - recurring;
    SetAt(c_.product_code, "ComputeSavingsPlans");
    SetAt(c_.usage_type, partial ? "ComputeSP:1yrPartialUpfront" : "ComputeSP:1yrNoUpfront");
    SetAt(c_.usage_amount, "1");
    SetAt(c_.unblended_rate, Money(arena_, recurring));
    SetAt(c_.unblended_cost, Money(arena_, recurring));
    SetAt(c_.description, partial
                              ? "1 year Partial Upfront EC2 Instance Savings Plan, m5 in us-east-1"
                              : "1 year No Upfront Compute Savings Plan");
    Set("product/ProductName", "Savings Plans for AWS Compute usage");
    Set("product/productFamily", "Savings Plans");
    Set("pricing/unit", "Hrs");
    SpColumns(sp);
    Set("savingsPlan/TotalCommitmentToDate", Money(arena_, sp.commitment));
    Set("savingsPlan/UsedCommitment", Money(arena_, sp.used));
    Set("savingsPlan/RecurringCommitmentForBillingPeriod", Money(arena_, recurring));
    Set("savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod", Money(arena_, upfront));
    Emit();
  }

  void RiFeeRow(const Reservation& ri) {
    Begin(kPayer, "RIFee");
    long hours = static_cast<long>(ri.count) * kHours;
    long unused = std::max(0L, hours - ri.used_hours);
    SetAt(c_.product_code, "AmazonEC2");
    char ut[64];
    int n = std::snprintf(ut, sizeof ut, "%sHeavyUsage:%s", ri.region->prefix,
                          ri.product->instance_type);
    SetAt(c_.usage_type, arena_.Copy({ut, static_cast<size_t>(n)}));
    SetAt(c_.operation, "RunInstances");
    SetAt(c_.usage_amount, Int(arena_, hours));
    SetAt(c_.unblended_rate, Money(arena_, ri.recurring_per_hour));
    SetAt(c_.unblended_cost, Money(arena_, ri.recurring_per_hour * hours));
    char desc[96];
    n = std::snprintf(
        desc, sizeof desc, "USD %s hourly fee per Linux/UNIX (Amazon VPC), %s instance",
        std::string(Money(arena_, ri.recurring_per_hour)).c_str(), ri.product->instance_type);
    SetAt(c_.description, arena_.Copy({desc, static_cast<size_t>(n)}));
    Set("product/ProductName", "Amazon Elastic Compute Cloud");
    Set("product/region", ri.region->code);
    Set("product/instanceType", ri.product->instance_type);
    Set("pricing/unit", "Hrs");
    Set("pricing/term", "Reserved");
    Set("pricing/LeaseContractLength", "1yr");
    Set("pricing/OfferingClass", "standard");
    Set("pricing/PurchaseOption", "Partial Upfront");
    Set("reservation/ReservationARN", ri.arn);
    Set("reservation/SubscriptionId", ri.subscription);
    Set("reservation/AvailabilityZone", "");
    Set("reservation/ModificationStatus", "Original");
    Set("reservation/NumberOfReservations", Int(arena_, ri.count));
    Set("reservation/NormalizedUnitsPerReservation", Int(arena_, 4L * kHours));
    Set("reservation/TotalReservedUnits", Int(arena_, hours));
    Set("reservation/UnitsPerReservation", Int(arena_, kHours));
    Set("reservation/TotalReservedNormalizedUnits", Int(arena_, 4 * hours));
    Set("reservation/StartTime", "2026-03-01T00:00:00Z");
    Set("reservation/EndTime", "2027-03-01T00:00:00Z");
    Set("reservation/UpfrontValue", Money(arena_, ri.upfront_per_hour * ri.count * 8760));
    Set("reservation/AmortizedUpfrontFeeForBillingPeriod",
        Money(arena_, ri.upfront_per_hour * hours));
    Set("reservation/UnusedQuantity", Int(arena_, unused));
    Set("reservation/UnusedNormalizedUnitQuantity", Int(arena_, 4 * unused));
    Set("reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
        Money(arena_, ri.upfront_per_hour * unused));
    Set("reservation/UnusedRecurringFee", Money(arena_, ri.recurring_per_hour * unused));
    Emit();
  }

  void TaxRow(size_t a) {
    Begin(accounts_[a].c_str(), "Tax");
    SetAt(c_.product_code, "AmazonEC2");
    SetAt(c_.description, "Tax for product code AmazonEC2");
    SetAt(c_.tax_type, "VAT");
    // About 8 % of an average account's usage, in cents.
    Units tax = static_cast<Units>(rows_ * (70 + rng_.Below(140)) * 10'000ULL) + U(0.01);
    tax = tax / 100'000'000 * 100'000'000;  // tax is in cents
    SetAt(c_.unblended_cost, Money(arena_, tax));
    SetAt(c_.blended_cost, Money(arena_, tax));
    Set("product/ProductName", "Amazon Elastic Compute Cloud");
    Emit();
  }

  void CreditRow(int c) {
    size_t a = PickAccount();
    Begin(accounts_[a].c_str(), "Credit");
    static const char* const kCodes[] = {"AmazonEC2", "AmazonS3", "AmazonRDS", "AWSLambda"};
    SetAt(c_.product_code, kCodes[c % 4]);
    SetAt(c_.description,
          c % 3 == 0 ? "AWS Activate Credits, Startup Program" : "AWS Promotional Credit");
    // Together about 2 % of the month's usage.
    Units credit = -(static_cast<Units>(rows_ * (50 + rng_.Below(150)) * 10'000ULL) + U(1));
    SetAt(c_.unblended_cost, Money(arena_, credit));
    SetAt(c_.blended_cost, Money(arena_, credit));
    Set("product/ProductName", kCodes[c % 4]);
    Emit();
  }

  struct Cols {
    int id = Col("identity/LineItemId"), interval = Col("identity/TimeInterval"),
        invoicing_entity = Col("bill/InvoicingEntity"), billing_entity = Col("bill/BillingEntity"),
        bill_type = Col("bill/BillType"), payer = Col("bill/PayerAccountId"),
        period_start = Col("bill/BillingPeriodStartDate"),
        period_end = Col("bill/BillingPeriodEndDate"), account = Col("lineItem/UsageAccountId"),
        type = Col("lineItem/LineItemType"), start = Col("lineItem/UsageStartDate"),
        end = Col("lineItem/UsageEndDate"), product_code = Col("lineItem/ProductCode"),
        usage_type = Col("lineItem/UsageType"), operation = Col("lineItem/Operation"),
        az = Col("lineItem/AvailabilityZone"), resource = Col("lineItem/ResourceId"),
        usage_amount = Col("lineItem/UsageAmount"),
        norm_factor = Col("lineItem/NormalizationFactor"),
        norm_amount = Col("lineItem/NormalizedUsageAmount"),
        currency = Col("lineItem/CurrencyCode"), unblended_rate = Col("lineItem/UnblendedRate"),
        unblended_cost = Col("lineItem/UnblendedCost"), blended_rate = Col("lineItem/BlendedRate"),
        blended_cost = Col("lineItem/BlendedCost"),
        description = Col("lineItem/LineItemDescription"), tax_type = Col("lineItem/TaxType"),
        legal_entity = Col("lineItem/LegalEntity");
  };

  Rng rng_;
  uint64_t rows_;
  Output& out_;
  std::vector<std::string> accounts_;
  std::vector<int> account_weight_;
  long total_account_weight_ = 0;
  long total_weight_ = 0;
  std::vector<int> product_cols_, tag_cols_;
  std::vector<SavingsPlan> sps_;
  std::vector<Reservation> reservations_;
  std::vector<std::string_view> row_;
  Arena arena_;
  Cols c_;
  char start_[24] = {}, end_[24] = {}, interval_[48] = {};
  uint64_t written_ = 0;
};

[[noreturn]] void Usage() {
  std::fprintf(stderr,
               "usage: rebill_generate_cur ROWS OUTPUT [--gzip] [--gzip-level N] [--seed N] "
               "[--accounts N]\n"
               "       rebill_generate_cur --list-accounts [--seed N] [--accounts N]\n"
               "Writes a deterministic legacy CUR CSV for October 2026 with ROWS data rows, one "
               "payer (%s) and N usage accounts (default 40).\n",
               kPayer);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> positional;
  bool gzip = false, list = false;
  int level = 6, accounts = 40;
  uint64_t seed = 20261001;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage();
      return argv[++i];
    };
    if (a == "--gzip") {
      gzip = true;
    } else if (a == "--gzip-level") {
      level = std::atoi(value().c_str());
    } else if (a == "--seed") {
      seed = std::strtoull(value().c_str(), nullptr, 10);
    } else if (a == "--accounts") {
      accounts = std::atoi(value().c_str());
    } else if (a == "--list-accounts") {
      list = true;
    } else if (a == "-h" || a == "--help") {
      Usage();
    } else if (!a.empty() && a[0] == '-') {
      Usage();
    } else {
      positional.push_back(a);
    }
  }
  if (accounts < 4 || accounts > 1000 || level < 0 || level > 9) Usage();
  if (list) {
    for (const std::string& id : MakeAccounts(seed, accounts)) std::printf("%s\n", id.c_str());
    return 0;
  }
  if (positional.size() != 2) Usage();
  char* end = nullptr;
  uint64_t rows = std::strtoull(positional[0].c_str(), &end, 10);
  if (end == positional[0].c_str() || *end != 0) Usage();
  Output out(positional[1], gzip, level);
  Generator generator(seed, accounts, rows, out);
  generator.Run();
  uint64_t bytes = out.bytes();
  out.Close();
  std::fprintf(stderr, "rebill_generate_cur: %llu rows, %zu columns, %llu bytes of CSV -> %s\n",
               static_cast<unsigned long long>(generator.written()), kColumns.size(),
               static_cast<unsigned long long>(bytes), positional[1].c_str());
  return 0;
}
