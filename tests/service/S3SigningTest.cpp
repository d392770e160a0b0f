// The presigned-URL signature against AWS's published example ("Authenticating Requests:
// Using Query Parameters (AWS Signature Version 4)", Amazon S3 API Reference): s3rver does
// not check signatures, so this is where the hand-written query signing is proven. (Header
// signing is curl's CURLOPT_AWS_SIGV4.)
#include "service/S3Client.h"

#include <gtest/gtest.h>

using mm::service::S3Client;
using mm::service::S3Location;

TEST(S3Signing, PresignedUrlMatchesAwsExample)
{
    S3Location where;
    where.bucket = "examplebucket";
    where.region = "us-east-1";
    where.accessKey = "AKIAIOSFODNN7EXAMPLE";
    where.secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const std::time_t t = 1369353600; // 2013-05-24T00:00:00Z
    const std::string url = S3Client(where).presignGet("test.txt", 86400, t);
    EXPECT_EQ(url, "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                   "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
                   "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
                   "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(S3Signing, KeysArePercentEncodedButSlashesKept)
{
    EXPECT_EQ(mm::service::s3Encode("jobs/ab c/ü+x.wav", true), "jobs/ab%20c/%C3%BC%2Bx.wav");
    EXPECT_EQ(mm::service::s3Encode("a/b", false), "a%2Fb");
}

TEST(S3Signing, StorageUrlParsing)
{
    setenv("AWS_ACCESS_KEY_ID", "k", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "s", 1);
    const auto l = mm::service::parseS3Url("s3://my-bucket/pre/fix?endpoint=http://127.0.0.1:9000/&region=eu-west-1");
    EXPECT_EQ(l.bucket, "my-bucket");
    EXPECT_EQ(l.prefix, "pre/fix/");
    EXPECT_EQ(l.endpoint, "http://127.0.0.1:9000");
    EXPECT_EQ(l.region, "eu-west-1");
    EXPECT_THROW(mm::service::parseS3Url("s3://Bad_Bucket"), std::exception);
    EXPECT_THROW(mm::service::parseS3Url("s3://bucket?endpoint=ftp://x"), std::exception);
}
