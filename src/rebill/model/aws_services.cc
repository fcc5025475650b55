#include "rebill/model/aws_services.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>
#include <vector>

namespace rebill {
namespace {

// Sorted by code for binary search.
constexpr std::array<std::pair<std::string_view, std::string_view>, 40> kNames = {{
    {"AWSBackup", "AWS Backup"},
    {"AWSCloudTrail", "AWS CloudTrail"},
    {"AWSCodeCommit", "AWS CodeCommit"},
    {"AWSConfig", "AWS Config"},
    {"AWSDataTransfer", "AWS Data Transfer"},
    {"AWSELB", "Elastic Load Balancing"},
    {"AWSEvents", "Amazon EventBridge"},
    {"AWSGlue", "AWS Glue"},
    {"AWSLambda", "AWS Lambda"},
    {"AWSQueueService", "Amazon Simple Queue Service"},
    {"AWSSecretsManager", "AWS Secrets Manager"},
    {"AWSShield", "AWS Shield"},
    {"AWSSupportBusiness", "AWS Support (Business)"},
    {"AWSSupportEnterprise", "AWS Support (Enterprise)"},
    {"AWSSystemsManager", "AWS Systems Manager"},
    {"AmazonAthena", "Amazon Athena"},
    {"AmazonCloudFront", "Amazon CloudFront"},
    {"AmazonCloudWatch", "Amazon CloudWatch"},
    {"AmazonDynamoDB", "Amazon DynamoDB"},
    {"AmazonEC2", "Amazon Elastic Compute Cloud"},
    {"AmazonECR", "Amazon Elastic Container Registry"},
    {"AmazonECS", "Amazon Elastic Container Service"},
    {"AmazonEFS", "Amazon Elastic File System"},
    {"AmazonEKS", "Amazon Elastic Kubernetes Service"},
    {"AmazonES", "Amazon OpenSearch Service"},
    {"AmazonElastiCache", "Amazon ElastiCache"},
    {"AmazonGuardDuty", "Amazon GuardDuty"},
    {"AmazonKinesis", "Amazon Kinesis"},
    {"AmazonMSK", "Amazon Managed Streaming for Apache Kafka"},
    {"AmazonRDS", "Amazon Relational Database Service"},
    {"AmazonRedshift", "Amazon Redshift"},
    {"AmazonRoute53", "Amazon Route 53"},
    {"AmazonS3", "Amazon Simple Storage Service"},
    {"AmazonSNS", "Amazon Simple Notification Service"},
    {"AmazonSageMaker", "Amazon SageMaker"},
    {"AmazonVPC", "Amazon Virtual Private Cloud"},
    {"ComputeSavingsPlans", "Compute Savings Plans"},
    {"awskms", "AWS Key Management Service"},
    {"awswaf", "AWS WAF"},
    {"comprehend", "Amazon Comprehend"},
}};

}  // namespace

namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                  std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

bool IsKnownService(std::string_view product_code) {
  return std::any_of(kNames.begin(), kNames.end(),
                     [&](const auto& entry) { return entry.first == product_code; });
}

std::string SuggestService(std::string_view product_code) {
  for (const auto& [code, name] : kNames) {
    if (code != product_code && EditDistance(code, product_code) <= 2) return std::string(code);
  }
  return "";
}

std::string ServiceDisplayName(std::string_view product_code) {
  auto it =
      std::lower_bound(kNames.begin(), kNames.end(), product_code,
                       [](const auto& entry, std::string_view code) { return entry.first < code; });
  if (it != kNames.end() && it->first == product_code) return std::string(it->second);
  return product_code.empty() ? std::string("Other") : std::string(product_code);
}

}  // namespace rebill
