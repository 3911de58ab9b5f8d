#include "emulator/core/reservation.h"

#include <gtest/gtest.h>

namespace imsemu::core {
namespace {

TEST(ReservationTest, ApplyingReservesAndAppliesTheRequest) {
  Payload p;
  p.state = PayloadState::kReady;
  p.labels = {{"kept", "yes"}, {"mode", "old"}};
  p.timer = TimerKind::kAutoReserve;
  ReservationRequest request;
  request.labels = {{"mode", "ranked"}};
  request.annotations = {{"note", "x"}};
  request.session_config = "cfg";
  const Time now = kDefaultVirtualStart + Duration(5000);
  EXPECT_EQ(ApplyReservation(p, request, now), PayloadState::kReady);
  EXPECT_EQ(p.state, PayloadState::kReserved);
  EXPECT_EQ(p.last_reserved, now);
  EXPECT_EQ(p.timer, TimerKind::kNone) << "a pending auto-reserve is disarmed";
  EXPECT_EQ(p.labels, (StringMap{{"kept", "yes"}, {"mode", "ranked"}}));
  EXPECT_EQ(p.annotations, (StringMap{{"note", "x"}}));
  EXPECT_EQ(p.session_config, "cfg");
}

TEST(ReservationTest, ABackFillKeepsTheConfigUnlessGivenAnother) {
  Payload p;
  p.state = PayloadState::kReserved;
  p.session_config = "first";
  p.timer = TimerKind::kRemove;
  EXPECT_EQ(ApplyReservation(p, {}, kDefaultVirtualStart), PayloadState::kReserved);
  EXPECT_EQ(p.session_config, "first");
  EXPECT_EQ(p.timer, TimerKind::kRemove) << "only an auto-reserve timer is disarmed";
}

TEST(ReservationTest, AutoReserveIsARequestLikeAnyOther) {
  AutoReserve a;
  a.labels = {{"k", "v"}};
  a.annotations = {{"n", "m"}};
  a.session_config = "auto";
  const ReservationRequest r = AutoReservation(a);
  EXPECT_EQ(r.labels, a.labels);
  EXPECT_EQ(r.annotations, a.annotations);
  EXPECT_EQ(r.session_config, "auto");
  EXPECT_TRUE(r.selectors.empty());
  EXPECT_TRUE(ValidateReservation(r).ok());
}

}  // namespace
}  // namespace imsemu::core
